//! BANT facts (budget, authority, need, timing) paraphrased from the sender's text.

use super::*;

pattern!(
    pub(super) BUDGET,
    r"(?x)
        (
            \bno\ budget\b
          | \bzero\ budget\b
          | \bbudget\b.{0,40}\b(approved|allocated|set\ aside|available|earmarked|frozen|freeze|cut|signed\ off|secured|reserved|planned)\b
          | \b(approved|allocated|earmarked|dedicated|available|limited|tight|small|frozen|annual|existing)\ budget\b
          | \bhave\ (a\ |the\ |some\ )?budget\b
          | \bmoney\ (set\ aside|earmarked|allocated|approved)\b
          | \b(spend|spending|pay|paying|paid|cost\ us|costs\ us)\b.{0,25}(\$|€|£|usd|eur|gbp)?\s?\d[\d,.]*\s?(k|m|million|thousand)?\b.{0,25}\b(a|per|/)\s?(year|month|yr|annum)
          | (\$|€|£)\s?\d[\d,.]*\s?(k|m)?\b.{0,30}\b(a|per|/)\s?(year|month|yr)
          | \bfreeze\ on\b
          | \b(spending|hiring|vendor|supplier|procurement|budget|purchasing)\ freeze\b
          | \b(tooling|software|it)\ budget\b.{0,40}\b(frozen|freeze|approved|cut|allocated|available)\b
          | \b(team|business|enterprise|starter|growth|pro)\ plan\b.{0,40}\b(start|fit|need|enough|right|probably|likely|makes\ sense)\b
          | \b(start|begin)\ (with|on)\ the\ \w+\ plan\b
          | \bkein\ budget\b
          | \bbudget\ (ist\ |wurde\ )?(freigegeben|genehmigt|eingefroren|vorhanden|gestrichen)\b
          | \bausgabenstopp\b
          | \bpas\ de\ budget\b
          | \bbudget\ (validé|approuvé|gelé|alloué|prévu|disponible)\b
          | \bsin\ presupuesto\b
          | \bno\ (hay|tenemos)\ presupuesto\b
          | \bpresupuesto\ (aprobado|congelado|asignado|disponible)\b
          | \bgeen\ budget\b
          | \bbudget\ (is\ )?(goedgekeurd|bevroren|vrijgemaakt|beschikbaar|gereserveerd|toegewezen)\b
          | \bbudget\b.{0,30}\b(gereserveerd|vrijgemaakt|toegewezen|eingeplant|reserviert|réservé|prévu|reservado|previsto|asignado)\b
          | \b(hebben|haben|avons|tenemos)\ (een\ |ein\ |un\ |el\ )?budget\b
        )
    "
);
pattern!(
    pub(super) AUTHORITY,
    r"(?x)
        (
            \bsign(s|ed)?\ off\b
          | \bsign-?off\b
          | \bfinal\ (say|decision|approval|call|word)\b
          | \b(i|we)\ (make|own|take)\ (the\ )?(final\ )?(decision|call)\b
          | \bdecision[-\ ]?maker\b
          | \b(i|she|he|they|who)\ (own|owns|control|controls|hold|holds|manage|manages)\ the\ (\w+\ )*?budget\b
          | \bbudget\ owner\b
          | \bapprov(e|es|al)\b.{0,20}\b(purchase|spend|budget|contract|vendor|tool)\b
          | \blead(s|ing)?\ the\ evaluation\b
          | \b(decision|decides|deciding)\ (is|lies|rests|sits)\ with\b
          | \bneeds?\ (approval|sign-?off)\ from\b
          | \b(cio|cfo|cto|ceo|cdo|vp|director|head\ of\ [a-z]+|board|procurement)\ (would|will|has\ to|must|needs\ to|gives|signs)\b.{0,20}\b(sign|approve|decide|final)
          | \bentscheid(e|et|ung\ liegt)\b
          | \bfreigabe\ (durch|von|liegt)\b
          | \bunterschreib\w*
          | \bc'est\ moi\ qui\ (décide|signe)\b
          | \bvalidation\ finale\b
          | \bdécision\ finale\b
          | \byo\ decido\b
          | \bla\ decisión\ final\b
          | \baprobación\ final\b
          | \bik\ beslis\b
          | \bbeslissing\ ligt\ bij\b
          | \beindverantwoordelijk\w*
        )
    "
);
pattern!(
    pub(super) NEED,
    r"(?x)
        (
            \bincidents?\b
          | \boutages?\b
          | \bbroke\b
          | \bbreak(s|ing)?\b
          | \bbroken\b
          | \bfail(s|ed|ing|ures?)?\b
          | \bstale\b
          | \bfreshness\b
          | \bsilently\b
          | \bwrong\ (numbers|data|figures)\b
          | \bdata\ quality\b
          | \bproblems?\b
          | \bissues?\b
          | \bpain\b
          | \bstruggl\w*
          | \bblind\ spots?\b
          | \bvisibility\b
          | \bcaught\ by\b
          | \bbefore\ we\ notic\w*
          | \btoo\ late\b
          | \bfirefight\w*
          | \bmanual\ checks\b
          | \bwe\ need\b
          | \bwe\ require\b
          | \bneed\ (better|more|a\ way|to\ (monitor|catch|detect|know|see|track))\b
          | \blooking\ for\ (a|an|something|better|tooling)\b
          | \bevaluat\w+\ (alternatives|tools|options|vendors|solutions|platforms)\b
          | \breplac(e|ing)\ \w+
          | \bmigrat\w+
          | \bmoving\ (off|away\ from|from|to)\ (?:[a-z0-9]{3,}|[a-z]{1,2}\d)
          | \bconsolidat\w+
          | \bmonitor\b.{0,20}\d
          | \b\d[\d,.]*\+?\s*(k\s)?(tables|models|dbt\ models|pipelines|dags|jobs|datasets|sources|connections)\b
          | \brequired\ by\b
          | \btoo\ small\b
          | \bsmall\ team\b
          | \bmid-migration\b
          | \bprobleme?\b
          | \bausfall\w*
          | \bveraltet\w*
          | \baktualität\b
          | \bkaputt\b
          | \bmigration\b
          | \bwir\ brauchen\b
          | \bbenötigen\b
          | \bproblème\w*
          | \bpanne\w*
          | \bfraîcheur\b
          | \btrop\ tard\b
          | \bcass(e|é|ent)\b
          | \bnous\ avons\ besoin\b
          | \bproblema\w*
          | \bincidente\w*
          | \bfrescura\b
          | \bdemasiado\ tarde\b
          | \bnecesitamos\b
          | \bprobleem\b
          | \bproblemen\b
          | \bstoring\w*
          | \bstukgaat\b
          | \bstuk\b
          | \bte\ laat\b
          | \bschemawijziging\w*
          | \bwe\ hebben\b.{0,30}\bnodig\b
        )
    "
);
pattern!(
    pub(super) NEED_NOT,
    r"\b(what we need|all we need|everything we need|lo que necesitamos|was wir brauchen|ce dont nous avons besoin|wat we nodig hebben)\b"
);
pattern!(
    pub(super) TIMELINE_ACTION,
    r"(?x)
        \b
        (
            decid\w*
          | decision
          | start\w*
          | reconnect
          | circle\ back
          | follow\ up
          | touch\ base
          | ends
          | ending
          | expires?
          | expiring
          | runs\ out
          | in\ place
          | live
          | choose
          | select\w*
          | pick
          | begin\w*
          | kick(ing)?\ off
          | evaluat\w*
          | looking\ at
          | buy\w*
          | purchas\w*
          | go(ing)?\ live
          | roll\ ?out
          | implement\w*
          | launch\w*
          | renew\w*
          | reach\ out
          | get\ in\ touch
          | contact
          | ping
          | check\ back
          | write
          | talk
          | conversation
          | revisit
          | trial
          | pilot
          | poc
          | planning
          | consolidat\w*
          | migrat\w*
          | moving
          | sign\w*
          | commit\w*
          | budget\w*
          | entscheid\w*
          | starten
          | beginnen
          | einführ\w*
          | décid\w*
          | décision
          | commencer
          | démarrer
          | recontact\w*
          | decidir
          | decisión
          | empezar
          | comenzar
          | escr[ií]b\w*
          | beslis\w*
          | beginnen
          | starten
          | contact
        )\b
    "
);
pattern!(
    pub(super) TIME_EXPR,
    r"(?x)
        (
            \b(next|this|coming)\ (week|month|quarter|year|fiscal\ year|summer|spring|autumn|fall|winter)\b
          | \b(in\ the|im|au|en\ el|in\ het)\ (spring|summer|autumn|fall|winter|frühjahr|frühling|sommer|herbst|printemps|été|automne|hiver|primavera|verano|otoño|invierno|voorjaar|zomer|najaar)\b
          | \bnew\ year\b
          | \bend\ of\ (the\ )?(week|month|quarter|year|january|february|march|april|may|june|july|august|september|october|november|december|q[1-4])\b
          | \b(by|before|in|until|after|from|around|during|early|mid|late|end\ of)\s+(early\ |mid\ |late\ |the\ end\ of\ )?(january|february|march|april|may|june|july|august|september|october|november|december|q[1-4]|20\d\d|fy\ ?\d\d)\b
          | \bq[1-4]\b
          | \bfy\ ?\d\d\b
          | \b20\d\d\b
          | \bwithin\ (\d+|a\ few|two|three|six)\ (days|weeks|months)\b
          | \bin\ (\d+|a\ few|few|two|three|six|twelve)\ (weeks|months)\b
          | \b(six|three|\d+)\ months\b
          | \bafter\ (that|this|the|our)\b
          | \b(january|february|march|april|june|july|august|september|october|november|december)\b
          | \bnächste(s|n)?\ (woche|monat|quartal|jahr)\b
          | \b(im|ab|bis)\ (januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember)\b
          | \bla\ semaine\ prochaine\b
          | \bl'année\ prochaine\b
          | \b(en|d'ici|avant|après)\ (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)\b
          | \b(en|para|antes\ de|después\ de)\ (enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)\b
          | \bel\ (año|mes)\ que\ viene\b
          | \bel\ próximo\ (año|mes|trimestre)\b
          | \b(in|voor|na)\ (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december)\b
          | \bvolgend\ (jaar|kwartaal)\b
          | \bvolgende\ (week|maand)\b
        )
    "
);
pattern!(
    pub(super) MEETING_SLOT,
    r"(?x)
        (
            \b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|lundi|mardi|mercredi|jeudi|vendredi|lunes|martes|miércoles|jueves|viernes|maandag|dinsdag|woensdag|donderdag|vrijdag)\b
          | \b\d{1,2}(:\d\d)?\s?(am|pm)\b
          | \b\d{1,2}[:h]\d\d\b
          | \b\d{1,2}h\b
          | \b(morning|afternoon|evening)s?\b
          | \bfew\ times\b
          | \btime\ ?slots?\b
          | \bcalendar\b
        )
    "
);
pattern!(
    pub(super) BUDGET_WORD,
    r"\b(budget\w*|presupuesto|begroting|money|spend\w*|funds?|funding)\b"
);
pattern!(
    pub(super) MEETING_TALK,
    r"(?x)
        \b
        (
            demo
          | call
          | meeting
          | chat
          | talk
          | speak
          | meet
          | catch\ up
          | conversation
          | session
          | walk-?through
          | termin
          | gespräch
          | telefonieren
          | appel
          | réunion
          | rendez-vous
          | llamada
          | reunión
          | afspraak
          | gesprek
          | bellen
        )\b
    "
);
pattern!(
    pub(super) LAST_OR_AGO,
    r"\b(last (week|month|quarter|year)|ago|letzte\w* (woche|monat|jahr)|dernier|pasado)\b"
);

/// Budget, authority, need and timeline as the sender stated them, each the first
/// sentence (shortened) that states it.
pub(super) fn extract_bant(a: &Analysis, intent: Intent) -> Bant {
    let statements: Vec<&Sentence> = a.clean().filter(|s| !s.question).collect();
    // The first sentence that states the fact, narrowed to the clause that carries it.
    let first = |f: &dyn Fn(&Sentence) -> bool, clause: &dyn Fn(&str) -> bool| -> Option<String> {
        statements
            .iter()
            .find(|s| f(s))
            .map(|s| paraphrase(&fragment(&s.text, clause)))
    };
    let budget = first(&|s: &Sentence| BUDGET.is_match(&s.lower), &|c| {
        BUDGET.is_match(c)
    });
    let authority = first(
        &|s: &Sentence| {
            AUTHORITY.is_match(&s.lower)
                && !AUTHORITY
                    .find_iter(&s.lower)
                    .all(|m| negated_before(&s.lower, m.start()))
        },
        &|c| AUTHORITY.is_match(c),
    );
    let need = if intent == Intent::NotInterested {
        // A decline's reasons are not a requirement; only "no need" is a need fact then.
        first(
            &|s: &Sentence| s.lower.contains("no need") || s.lower.contains("don't need"),
            &|c| c.contains("need"),
        )
    } else {
        first(
            &|s: &Sentence| NEED.is_match(&s.lower) && !NEED_NOT.is_match(&s.lower),
            &|c| NEED.is_match(c),
        )
    };
    let timeline = first(
        &|s: &Sentence| {
            let future_time = TIME_EXPR.is_match(&s.lower) && !LAST_OR_AGO.is_match(&s.lower);
            // "Thursday at 2pm works", "let's talk next week": when to meet, not when to buy.
            let slot = (MEETING_SLOT.is_match(&s.lower) || MEETING_TALK.is_match(&s.lower))
                && !defers(&s.lower, a.reference);
            let acts = TIMELINE_ACTION.is_match(&s.lower)
                || (intent == Intent::NotNow && defers(&s.lower, a.reference));
            let about_money_only = BUDGET_WORD.is_match(&s.lower)
                && !TIMELINE_ACTION.is_match(&BUDGET_WORD.replace_all(&s.lower, " "));
            future_time && acts && !slot && !past_only(&s.lower, a.reference) && !about_money_only
        },
        &|c| TIME_EXPR.is_match(c) && !past_only(c, a.reference),
    )
    .or_else(|| {
        // "Money set aside for 2027" dates the budget; it is the timeline only when no other
        // sentence gives one.
        first(
            &|s: &Sentence| {
                TIME_EXPR.is_match(&s.lower)
                    && BUDGET_WORD.is_match(&s.lower)
                    && !LAST_OR_AGO.is_match(&s.lower)
                    && !past_only(&s.lower, a.reference)
            },
            &|c| TIME_EXPR.is_match(c) && !past_only(c, a.reference),
        )
    });
    Bant {
        budget,
        authority,
        need,
        timeline,
    }
}

/// The clause of a sentence that `keep` accepts ("I own the data tooling budget and we have
/// money set aside for 2027" → "we have money set aside for 2027" for the budget), or the
/// whole sentence when no clause alone does or the clause is too short to read.
pub(super) fn fragment(text: &str, keep: &dyn Fn(&str) -> bool) -> String {
    pattern!(
        CLAUSE_BREAK,
        r"(?i);\s+|\s+[-–—]\s+|,\s+(?:and|but|so|which|because|since|as|while)\s+|\s+(?:and|but|so)\s+(we|i|our|the|it|they|she|he)\b"
    );
    let mut start = 0;
    let mut clauses = Vec::new();
    for c in CLAUSE_BREAK.captures_iter(text) {
        let Some(m) = c.get(0) else { continue };
        clauses.push(&text[start..m.start()]);
        // "… and we have …": the next clause starts at its subject.
        start = c.get(1).map_or(m.end(), |subject| subject.start());
    }
    clauses.push(&text[start..]);
    if clauses.len() < 2 {
        return text.to_string();
    }
    clauses
        .iter()
        .map(|c| c.trim())
        .find(|c| c.split_whitespace().count() >= 3 && keep(&plain_lower(c)))
        .map_or_else(|| text.to_string(), str::to_string)
}

/// A sentence about something done ("we signed a renewal in October") states no timeline.
pub(super) fn past_only(lower: &str, reference: DateTime<Utc>) -> bool {
    pattern!(
        PAST_VERB,
        r"\b(signed|renewed|bought|purchased|started|began|had|was|were|did)\b"
    );
    PAST_VERB.is_match(lower) && !defers(lower, reference) && !lower.contains("will")
}

/// A short paraphrase: the fragment without a list marker, at most ~160 characters.
pub(super) fn paraphrase(text: &str) -> String {
    let t = text.trim().trim_start_matches(['-', '*', '•']).trim();
    if t.chars().count() <= 160 {
        return t.to_string();
    }
    let cut: String = t.chars().take(157).collect();
    match cut.rfind(' ') {
        Some(p) => format!("{}…", &cut[..p]),
        None => format!("{cut}…"),
    }
}
