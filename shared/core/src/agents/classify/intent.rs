//! A person's reply: the intent in the precedence of data README §3.2.

use super::*;

pattern!(
    pub(super) COMPLAINT,
    r"(\bspam(ming|med|mer|my)?\b|\bunsolicited\b|\b(report(ing|ed)?|flag(ging|ged)?)\s+(you|your (company|domain|e-?mails?|messages?|address)|this (e-?mail|message|as))\b|\breport(ing|ed)? (this|it)\b.{0,30}\b(provider|authorit\w+|abuse|regulator|ico|cnil|spamhaus|postmaster|isp|google|microsoft)\b|\breport(ed|ing)? (you |this |it )?to (the |your |our )?(ico|cnil|aepd|ftc|fcc|regulator|authorit\w+|data protection|provider|email provider|isp|abuse|spamhaus|postmaster|police|google|microsoft|gmail|outlook)\b|\bmarked (it |this |you |this (e-?mail|message) )?as (spam|junk)|\bforwarded (it )?to abuse\b|\babuse (desk|team|department|report)\b|\bharass\w*|\blegal action\b|\b(contact|involve|call|instruct|hear from|get) (my|our) (lawyer|attorney|solicitor)s?\b|\b(lawyer|attorney|solicitor)s? (will|is going to) (contact|be in touch|hear)\b|\bsue you\b|\billegal\b|\bunlawful\b|\bviolat\w+\b.{0,20}\b(gdpr|law|can-spam|casl|pecr|privacy|regulation)|\b(gdpr|dsgvo|rgpd|avg|privacy|can-spam|data protection) (violation|breach|verstoß|infraction|schending)\b|\b(data protection|supervisory) authority\b|\bico\b|\bcnil\b|\baepd\b|\bcease and desist\b|\bblock ?list\w*\b|\bblacklist\w*\b|\bscam\w*\b|\bhow dare\b|\bbelästig\w*|\bunerwünscht\w*|\b(anwalt|rechtsanwalt) (einschalten|beauftragen|informieren)\b|\banwaltliche schritte\b|\babmahnung\b|\bdatenschutzbehörde\b|\baufsichtsbehörde\b|\brechtliche schritte\b|\bpourriel\w*|\bharcèlement\b|\bnon sollicité\w*|\b(contacter|saisir) (mon|notre) avocat\b|\bpoursuites\b|\bplainte\b|\bsignal(er|é|erai)\b|\bcorreo no deseado\b|\bacoso\b|\bno solicitad[oa]s?\b|\b(mi|nuestro) abogado\b|\bacciones legales\b|\bmedidas legales\b|\bdenunci(ar|aré|a)\b|\bongevraagd\w*|\bongewenst\w*|\b(mijn|onze) advocaat\b|\bjuridische stappen\b|\bautoriteit persoonsgegevens\b|\baangifte\b)"
);
pattern!(
    pub(super) SPAM_FOLDER,
    r"\b(spam|junk) (folder|filter|box|ordner|map|carpeta|dossier)\b|\b(in|from|into) (my |the )?(spam|junk)\b|\bnot spam\b"
);
pattern!(
    pub(super) UNSUBSCRIBE,
    r"(\bunsubscrib\w*|\bremove (me|us|my (name|e-?mail|address|details|data))\b|\bremove \S+@\S+\b|\btake (me|us|my (name|e-?mail|address)) off\b|\boff (your|the|all( of)? your) (list|lists|mailing list|distribution|database)\b|\bstop (e-?mailing|emailing|mailing|contacting|messaging|spamming)\b|\bstop (sending|writing) (me|us|these|this|those|emails|e-mails|messages|them)\b|\b(don't|do not|never|please don't|please do not) (e-?mail|contact|write|message|mail|bother) (me|us|anyone)\b|\bdo not contact\b|\bno (more|further) (e-?mails|emails|messages|mail|contact)\b|\b(don't|do not) want to (receive|get|hear)\b|\bopt(-| )?(me )?out\b|\b(delete|erase|remove|purge)\b.{0,30}\b(personal (data|information|details)|my (data|information|details|contact|personal)|all (data|information) (you hold|about me))|\bright to (erasure|object|be forgotten)\b|\bart(\.|icle|ikel|ículo|iculo)?\s?(17|21)\b|\brecht auf (löschung|vergessenwerden|widerspruch)\b|\bdroit (à l'effacement|à l'oubli|d'opposition)\b|\bderecho (al olvido|de supresión|de oposición)\b|\brecht op (vergetelheid|verwijdering|gegevenswissing|bezwaar)\b|\b(under|per|pursuant to) (the )?ccpa\b|\bccpa request\b|\b(don't|do not) (follow up|reach out|send)\b|\bleave me alone\b|\babmeld\w*|\baustragen\b|\baus (ihrem|dem|ihrer|allen) (verteiler|liste|mailingliste|listen)\b|\bkeine (weiteren |e-?mails|nachrichten|kontakt)\w*|\b(kontaktieren|schreiben|anschreiben) sie mich (bitte )?(nicht|nie) mehr\b|\bnicht mehr (kontaktieren|anschreiben|schreiben)\b|\blöschen sie (bitte )?(meine|alle)\b|\blöschung (meiner|der) (daten|personenbezogenen)\b|\bwiderspr(uch|eche)\b|\bdésinscri\w*|\bdésabonn\w*|\bretirez[- ]moi\b|\bretirer (mon adresse|mes coordonnées)\b|\bne (plus|me) (me )?(contacter|contactez|écrire|écrivez|envoyer)\b|\bne me contactez plus\b|\bsupprime[rz] (mes|toutes mes) (données|coordonnées|informations)\b|\bdarme de baja\b|\bdar(me)? de baja\b|\bden(me)? de baja\b|\bbaja de (la|su|sus|vuestra) lista\b|\bno me (escriba|escribas|contacte|contactes|envíe|envíen|envies)\w*\b|\bdejen? de (escribirme|enviarme|contactarme)\b|\b(eliminar|borrar|suprimir|eliminen|borren|supriman) (mis|todos mis) datos\b|\bafmeld\w*|\buitschrijv\w*|\bverwijder (mij|me|mijn)\b|\bhaal (mij|me) (van|uit)\b|\bgeen (e-?mails|berichten|mails) meer\b|\bniet meer (mailen|benaderen|contacteren|e-?mailen)\b|\bmijn gegevens (verwijderen|wissen)\b|^\W*(please )?(stop|remove|unsubscribe|abmelden|désabonner|baja|afmelden)( (it|this|these|me))?\W*$)"
);
pattern!(
    pub(super) WRONG_PERSON,
    r"(\bnot the (right|correct|best|appropriate|relevant|proper) (person|contact|people|guy|department|team)\b|\bnot the (decision[- ]?maker|one who decides|buyer|budget holder)\b|\bwrong (person|contact|guy|department|team|address|recipient)\b|\b(not|isn't|is not|wasn't) my (area|department|field|responsibility|call|decision|remit|domain|wheelhouse|job|role)\b|\bleft (the company|the business|the organi[sz]ation|the firm|the team)\b|\b(his|her|their) (replacement|successor)\b|\bno longer with us\b|\bnot (responsible|in charge) for\b|\bi'?m not (responsible|in charge|involved)\b|\bno longer (with|at|work(ing)? (at|for|with|here)|employed|part of|in charge|responsible)\b|\b(has|have) (now )?left (the company|the business|the organi[sz]ation|the firm)\b|\b(i'?m|i am) (actually )?leaving (the company|the business|the team|my (role|position|job)|\w+ (at|by) the end|at the end|next (week|month)|on \w+day)\b|\b(don't|do not|doesn't) (make|handle|own|take) (any )?(purchasing|buying|tooling|budget|technology|vendor)? ?decisions\b|\b(i'?m|i am) not involved (in|with)\b|\b(i'?m|i am|i work) in [a-z]+,? not\b|\bnicht (der|die) (richtige|zuständige) (ansprechpartner\w*|person|kontakt)\b|\bnicht zuständig\b|\bfalsche\w* (ansprechpartner\w*|person|kontakt)\b|\bnicht mehr (bei|im unternehmen|für|in der firma)\b|\bhat das unternehmen verlassen\b|\bpas la bonne personne\b|\bpas (le bon|la bonne) interlocut\w*|\bmauvais interlocuteur\b|\bne travaille plus\b|\ba quitté (l'entreprise|la société)\b|\bn'est plus (chez|dans)\b|\bpas de mon ressort\b|\bne suis pas (responsable|en charge|la personne)\b|\bne m'occupe (pas|plus)\b|\bno soy la persona (adecuada|indicada|correcta)\b|\bpersona (equivocada|incorrecta)\b|\bya no trabajo\b|\bya no (está|forma parte)\b|\bdejó la empresa\b|\bno es mi área\b|\bno me corresponde\b|\bniet de (juiste|goede) persoon\b|\bverkeerde persoon\b|\bwerk(t)? (hier )?niet meer\b|\bniet (meer )?verantwoordelijk\b|\bniet mijn (afdeling|terrein|gebied)\b)"
);
pattern!(
    pub(super) REDIRECT,
    r"(\b(i think |i believe |probably |actually )you('ll)? (want|need)\b|\byou('ll| will)? (want|need|should|have) to (talk|speak|reach out|contact|ask|email|write)\b|\byou should (talk|speak|reach out|contact|ask|email|write)\b|\byou('d| would) (be )?better (off )?(talking|speaking|contacting|asking)\b|\b(better|best) (to )?(contact|reach|ask|talk to|speak to|email)\b|\bplease (contact|reach out to|continue with|talk to|speak to|get in touch with|write to|email|e-mail|direct \w+ to|forward \w+ to)\b|\b(maybe |perhaps )?(try|ask) (our|my|the) \w+( \w+)? (team|people|department|colleague|guys|folks|group)\b|\breach out to (him|her|them)\b|\b(have|i've|i have) (copied|cc'?d|looped in|forwarded)\b|\bforwarded (this|your (e-?mail|message|note))\b|\bforwarding (this |it |your (e-?mail|message|note) )?to\b|\b(decisions?|purchasing|buying) .{0,40}\b(are|is) (made|handled|owned) by\b|\bthe right (person|contact) (is|would be|for this)\b|\bwenden sie sich (bitte )?an\b|\bzuständig ist\b|\bansprechpartner(in)? (ist|wäre)\b|\bcontactez plutôt\b|\ble bon interlocuteur (est|serait)\b|\badressez-vous à\b|\bcontacte (a|con)\b|\ble recomiendo (contactar|escribir)\b|\bla persona (adecuada|indicada) es\b|\bneem contact op met\b|\bkunt (u|je) beter\b|\bde juiste persoon is\b)"
);
pattern!(
    pub(super) REDIRECT_WEAK,
    r"(\b(his|her|their) (e-?mail|address) is\b|\bthat would be (our|my)\b|\b(runs|handles|owns|manages|leads|is responsible for|is in charge of) (engineering|data|it|our data|the data team|tooling|purchasing|procurement|this|that)\b|\bescrib[ae] a\b|\bcontact(ez)? \w+ at\b)"
);
pattern!(
    pub(super) INTEREST_NOUN,
    r"\b(demo|demos|demonstration|walk-?through|call|meeting|chat|conversation|intro|session|calendar|invite|invitation|proposal|quote|quotation|trial|poc|proof[- ]of[- ]concept|pilot|vorführung|präsentation|termin|gespräch|telefonat|angebot|testphase|testversion|démo|démonstration|présentation|rendez-vous|rdv|appel|réunion|échange|visio|devis|proposition|essai|pilote|demostración|reunión|llamada|videollamada|propuesta|cotización|prueba|piloto|afspraak|gesprek|belletje|offerte|voorstel|proefperiode)\b"
);
pattern!(
    pub(super) INTEREST_MARKER,
    r"(\b(i'?d|i would|we'?d|we would) (like|love|want|be (interested|keen|happy|glad|open))\b|\b(i'?m|i am|we'?re|we are) (interested|keen|open)\b|\binterested in\b|\bkeen (to|on)\b|\b(happy|glad|open) to\b|\blet'?s\b|\b(can|could|shall|should) we\b|\b(can|could|would) you (send|share|set|book|schedule|arrange|organi[sz]e|put together|prepare|give|run|do|show|walk)\b|\bplease (send|share|set|book|schedule|arrange|prepare)\b|\bsend (me|us|over)\b|\bshare (a|an|some|your)\b|\bset up\b|\bschedule\b|\bbook\b|\barrange\b|\bfind (a )?time\b|\bworks? for (me|us|a|the)\b|\bsuits? (me|us)\b|\b(sign|signing) up\b|\bget started\b|\bstart (a|the|our)\b|\bkick off\b|\bgo ahead\b|\blike to try\b|\bwant to try\b|\btry (it|it out|your (product|tool|platform))\b|\bgerne?\b|\bwürde\w*\b|\bmöchte\w*\b|\b(können|könnten) wir\b|\blassen sie uns\b|\b(schicken|senden) sie\b|\bvereinbaren\b|\bpasst\b|\binteressiert\b|\binteresse an\b|\bintéressée?s?\b|\bj'aimerais\b|\bje voudrais\b|\bnous voudrions\b|\b(pouvons|pourrions|pourriez)[- ](nous|vous)\b|\benvoyez\b|\bvolontiers\b|\bdisponibles?\b|\bça me va\b|\bconvient\b|\borganiser\b|\bplanifier\b|\bme interesa\b|\bnos interesa\b|\binteresad[oa]s?\b|\b(me|nos) gustaría\b|\bquisiera\b|\b(podemos|podríamos)\b|\benv[ií](e|en|ame|enos)\b|\bmánd(ame|enos)\b|\bagendar\b|\bprogramar\b|\bme viene bien\b|\bgraag\b|\bik wil\b|\bwij willen\b|\bzou(den)? (ik|we)\b|\bkunnen we\b|\bstuur\b|\b(in)?plannen\b|\bschikt\b|\bgeïnteresseerd\b|\binteresse in\b)"
);
pattern!(
    pub(super) INTEREST_STRONG,
    r"(\blet'?s (talk|chat|connect|meet|do (it|this|a call|a demo)|set (it|something|a time) up|find a time|schedule|get (something|a call|a demo) (on|in|booked))\b|\b(send|share) (me|us)? ?(a |an |your )?(calendar|booking|meeting|scheduling) (link|invite|invitation)\b|\bsend (me |us )?(an? )?(calendar )?invite\b|\b(happy|glad|keen|open) to (chat|talk|meet|connect|learn more|take a look|hop on|jump on|see (it|a demo|more|how))\b|\b(i'?d|i would|we'?d|we would) (like|love) to (see|try|explore|learn more|get a demo|set up|book|schedule|start)\b|\b(i'?d|i would|we'?d|we would) be (interested|keen) in\b|\b(i'?m|i am|we'?re|we are) (very |definitely |really )?interested\b|\b(monday|tuesday|wednesday|thursday|friday|tomorrow|next week|this week)\b.{0,40}\b(works|work for|suits|is good|is fine|would work|are (best|good|fine))\b|\bdoes (monday|tuesday|wednesday|thursday|friday|tomorrow|next week|\d{1,2}(:\d\d)? ?(am|pm))\b.{0,40}\bwork\b|\bworks for (a|the) (demo|call|meeting|chat)\b|\bsign (me|us) up\b|\bcount (me|us) in\b|\bsounds (good|great|interesting)[,.!]? (let'?s|send|book|when)\b|\bwalk (me|us|our team) through\b|\b(book|grab|schedule|find|block)\b.{0,10}\b(some time|a slot|slots|\d+ ?(min|mins|minutes))\b|\b(send|suggest|propose|share|let me know)\b.{0,20}\b(slots|a few times|some times|times that work|your availability)\b|\bplan (maar )?een (demo|afspraak|gesprek|call)\b|\b(give|show) (me|us) (a )?(demo|tour|walkthrough)\b|\bsee it in action\b|\b(would|'d) (love|like) to (see|try) (it|your (product|tool|platform)|the (product|tool|platform)|a demo|how)\b|\b(can|could) you (call|ring|phone) (me|us)\b|\b(können|könnten) wir\b.{0,40}\b(telefonieren|sprechen|treffen|austauschen)\b|\b(pouvons|pourrions)[- ]nous\b.{0,40}\b(parler|échanger|discuter|appeler|rencontrer)\b|\b(podemos|podríamos)\b.{0,40}\b(hablar|reunirnos|conversar|vernos)\b|\bkunnen we\b.{0,40}\b(bellen|spreken|afspreken|praten)\b|\bgraag een (demo|afspraak|gesprek|offerte)\b|\bgerne (eine|einen|ein) (demo|termin|gespräch|angebot)\b|\bje serais (très )?intéressée? par\b|\bme (interesa|gustaría) (una|un|ver|probar|agendar)\b)"
);
pattern!(
    pub(super) MEETING_NOUN,
    r"\b(demo|demos|demonstration|walk-?through|call|meeting|chat|conversation|session|vorführung|präsentation|termin|gespräch|telefonat|démo|démonstration|présentation|rendez-vous|appel|réunion|échange|demostración|reunión|llamada|afspraak|gesprek|belletje)\b"
);
pattern!(
    pub(super) INFO_ONLY,
    r"\b(could|can|would) you (tell|explain|clarify|confirm|let me know)\b|\b(like|want|love) to (know|understand|learn)\b|\b(info|information|details|documentation|docs|more about|a brochure|a one-pager|a deck)\b|\bhow (does|do|would|will) (the|a|your) (trial|poc|pilot|proof)\b|\b(is|are) there (a|any) (free )?(trial|pilot|poc)\b|\bdo you (offer|have|provide) (a |any )?(free )?(trial|pilot|poc|demo)\b"
);

pattern!(
    pub(super) NOT_NOW,
    r"(\bnot (the right|a good|the best|an ideal) (time|moment)\b|\bbad timing\b|\bnot (right )?now\b|\bnot at (the|this) (moment|time|stage|point)\b|\bnot (a|the) (priority|focus)\b|\bno bandwidth\b|\b(won't|don't|do not|will not) have (the )?(bandwidth|capacity|time)\b|\btoo (busy|early)\b|\bmaybe (later|next|in|after|down the road)\b|\breach out (again )?(in|after|next|later|around|once|when|then)\b|\b(busy|heads[- ]down|swamped|tied up|slammed|focused on \w+) (until|till|through)\b|\bcheck back\b|\bcircle back\b|\btouch base\b.{0,20}\b(in|after|later|next)\b|\bget (back )?in touch (again )?(in|after|next|later|around|once|when|before)\b|\bget back to (me|us) (in|after|next|later|around|once|when)\b|\bcheck (back|in) (again )?(then|in|after|next|later|around|once|when)\b|\bnot this (year|quarter|month)\b|\bping me (again )?(in|after|later|next|once|when)\b|\bfollow up (again )?(in|after|next|later)\b|\bcontact (me|us) (again )?(in|after|later|next|once|when)\b|\brevisit\b|\bfrozen\b|\bfreeze\b|\bnothing to discuss until\b|\blater (this|next) year\b|\bdown the road\b|\bin the (new year|future)\b|\b(derzeit|momentan|aktuell|im moment|zurzeit) (nicht|kein)\w*|\bspäter\b|\bnächste(s|n)? jahr\b|\bmelden sie sich (gerne |bitte )?(wieder |erneut |nochmal )?(im|in|nach|ab)\b|\bpas le bon moment\b|\bpas pour (le moment|l'instant|maintenant)\b|\bplus tard\b|\bl'année prochaine\b|\brecontacte[rz]\b|\brevenez vers\b|\bno es (buen|el) momento\b|\bahora (mismo )?no\b|\bmás adelante\b|\bel (año|mes) que viene\b|\bel próximo año\b|\b(escríbeme|escríbanos|escríbenos|contáctame|contáctenos|vuelve a escribir) de nuevo\b|\bvuelv[ae] a (escribir|contactar)\w*\b|\bgeen goed moment\b|\bniet het juiste moment\b|\bop dit moment niet\b|\bvolgend jaar\b|\bneem (later|opnieuw|in) .{0,20}contact\b|\bbenader (me|ons) (later|opnieuw)\b)"
);
pattern!(
    pub(super) CONTACT_VERB,
    r"\b(reach out|get in touch|get back|check in|looking at|look at|contact|ping|write|email|e-mail|talk|chat|speak|conversation|follow up|touch base|reconnect|try (me|us) again|come back|look again|take a look|happy to|melden|auf mich zu|zurückkommen|sprechen|schreiben|contacter|écrire|parler|échanger|escrib\w*|contact\w*|habl\w*|mail\w*|bellen|spreken|contact opnemen)\b"
);
pattern!(
    pub(super) NOT_INTERESTED,
    r"(\bnot interested\b|\bnot (the right|a good|the best) (one|fit|match|solution|tool) for us\b|\bnot right for us\b|\b(don't|do not) have (a|any) need\b|\bnot in the market\b|^\W*(no|nope|nein|non|nee)\W*$|\b(isn't|is not|not) (something|anything) (we|i) (need|want|are looking for|'re looking for)\b|\bno thanks\b|\bno,? thank you\b|\bthanks,? but no\b|\bnot (relevant|a fit|a good fit|for us|something we need)\b|\b(isn't|is not|aren't|are not) (relevant|a fit|a priority for us|for us)\b|\bnot looking (for|at|to)\b|\bno plans to (change|switch|move|replace|look)\b|\b(we'?re|we are) (happy|satisfied|fine|good|all set|set) with\b|\ball set\b|\balready (have|use|using|signed|built|work with|working with|has|got)\b|\bbuilt (our|it) own\b|\bin-house\b|\bwill pass\b|\bwe'?ll pass\b|\bpass on this\b|\b(won't|will not|aren't|are not) (be )?(evaluating|considering|looking)\b|\b(don't|do not) need\b|\bno need\b|\bno use for\b|\bno budget\b|\bnot (worth|needed)\b|\bkein(en)? (interesse|bedarf)\b|\bnicht interessiert\b|\bnein,? danke\b|\bbrauchen wir nicht\b|\bhaben (bereits|schon)\b|\bpas intéressée?s?\b|\bne sommes pas intéressés\b|\bpas d'intérêt\b|\bnon,? merci\b|\bpas besoin\b|\bavons déjà\b|\bno (nos|me) interesa\b|\bno estamos interesad[oa]s\b|\bno,? gracias\b|\bno necesitamos\b|\bya (tenemos|contamos con|usamos)\b|\bgeen interesse\b|\bniet geïnteresseerd\b|\bnee,? (dank je|bedankt|dankjewel)\b|\bgeen behoefte\b|\bhebben (al|reeds)\b|\bniet nodig\b)"
);

pattern!(
    /// An outright refusal (a subset of [`NOT_INTERESTED`] that no request survives).
    pub(super) DECLINE,
    r"\bnot interested\b|\bno,? thank(s| you)\b|\bnot for us\b|\bwill pass\b|\bwe'?ll pass\b|\bkein interesse\b|\bpas intéressée?s?\b|\bno (nos|me) interesa\b|\bgeen interesse\b"
);
pattern!(
    /// A question that asks how something works ("Do you delete our data after the
    /// trial?"), as opposed to a request ("Could you delete my data?").
    pub(super) INFO_QUESTION,
    r"^\W*(do|does|how|when|what|where|which|why|is|are|will|wie|was|wann|comment|quand|est-ce|cómo|cuándo|qué|hoe|wanneer|wat)\b"
);
pattern!(
    pub(super) PRODUCT_QUESTION,
    r"\b(do|does|can|could|will|would|is|are)\s+(you|it|your (product|platform|tool|service|team|solution)|[a-z][a-z0-9-]*)\s+(support|offer|have|provide|work|integrate|handle|run|monitor|detect|store|include|connect|cover|need|require|track|alert|increase|cost|charge|host|keep|send|access|read)\b|\b(unterstützen|bieten|haben|können) sie\b|\b(supportez|proposez|avez|offrez|gérez)[- ]vous\b|\b(tienen|ofrecen|soportan|admiten|pueden)\b|\b(ondersteunen|bieden|hebben|kunnen) jullie\b|\b(ondersteunt|biedt|heeft) (u|het)\b"
);

pattern!(
    pub(super) GREETING,
    r"^\s*(hi|hello|hey|dear|hallo|liebe[rs]?|guten tag|bonjour|salut|cher|chère|hola|estimad[oa]|hoi|beste|dag)\s+([^\s,!:]+)"
);

pattern!(pub(super) VOCATIVE, r"^\s*([A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+)\s*[,:\-–]\s");
pattern!(
    pub(super) INTERNAL_NOTE,
    r"\b(see below|see (the )?(e-?mail|note|message) below|fyi|thoughts\?|any thoughts|what do you think|is this (something|relevant|useful) for|can you (check|look|handle|take a look|have a look|deal with|follow up)|for your (review|info|information)|take a look at this|worth a look|siehe unten|zur info|was meinst du|voir ci-dessous|pour info|qu'en penses-tu|ver abajo|para tu información|qué opinas|zie hieronder|ter info|wat vind je)\b"
);

/// The reply greets someone other than the agent ("Hi Mark, see below …"): a message meant
/// for a colleague that reached us by mistake.
pub(super) fn addressed_elsewhere(mail: &InboundEmail) -> bool {
    let agent_tokens: Vec<String> = mail
        .to
        .iter()
        .flat_map(|m| {
            let mut t: Vec<String> = m
                .name
                .iter()
                .flat_map(|n| {
                    n.split_whitespace()
                        .map(str::to_lowercase)
                        .collect::<Vec<_>>()
                })
                .collect();
            t.extend(m.address.split(['@', '.', '-', '_']).map(str::to_lowercase));
            t
        })
        .collect();
    if agent_tokens.is_empty() {
        return false;
    }
    let first_line = mail
        .own_text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    // "Mark - see below, thoughts?": a name, a comma or dash, and forwarding language.
    let vocative = VOCATIVE
        .captures(first_line)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_lowercase())
        .filter(|_| INTERNAL_NOTE.is_match(&plain_lower(&mail.own_text)));
    let first_line = first_line.to_lowercase();
    let greeted = GREETING
        .captures(&first_line)
        .and_then(|c| c.get(2))
        .map(|m| m.as_str().to_string());
    let Some(name) = greeted.or(vocative) else {
        return false;
    };
    let name = name.trim_matches(|c: char| !c.is_alphanumeric());
    const GENERIC: &[&str] = &[
        "all",
        "team",
        "there",
        "everyone",
        "folks",
        "sir",
        "madam",
        "frau",
        "herr",
        "mr",
        "mrs",
        "ms",
        "monsieur",
        "madame",
        "señor",
        "señora",
        "meneer",
        "mevrouw",
        "damen",
        "heer",
        "again",
        "afzender",
        "sender",
        "and",
        "et",
        "y",
        "en",
        "thanks",
        "thank",
        "sure",
        "yes",
        "no",
        "ok",
        "okay",
        "sorry",
        "great",
        "well",
        "also",
        "however",
        "unfortunately",
        "actually",
        "honestly",
        "hi",
        "hello",
        "hey",
        "dear",
        "interesting",
        "perfect",
        "cheers",
        "please",
        "danke",
        "ja",
        "nein",
        "leider",
        "hallo",
        "merci",
        "oui",
        "non",
        "bonjour",
        "gracias",
        "sí",
        "si",
        "hola",
        "bedankt",
        "nee",
        "helaas",
        "hoi",
    ];
    !name.is_empty() && !GENERIC.contains(&name) && !agent_tokens.iter().any(|t| t == name)
}

pub(super) fn human_intent(a: &Analysis) -> Intent {
    if a.is_empty() {
        return Intent::Unclear;
    }
    let complaint = a.clean().any(|s| {
        let without_folders = SPAM_FOLDER.replace_all(&s.lower, " ");
        COMPLAINT.is_match(&without_folders) || vocab::COMPLAINT.is_match(&without_folders)
    });
    if complaint {
        return Intent::Complaint;
    }
    let unsubscribe = a.clean().any(|s| {
        let lower = vocab::OPT_OUT_FOOTER.replace_all(&s.lower, " ");
        (UNSUBSCRIBE.is_match(&lower) || vocab::UNSUBSCRIBE.is_match(&lower))
            && !(s.question && INFO_QUESTION.is_match(&lower))
    });
    if unsubscribe {
        return Intent::Unsubscribe;
    }
    let wrong_strong = a.any(&WRONG_PERSON) || a.any(&vocab::WRONG_PERSON);
    let interest = interested(a);
    let names_address = a.clean.contains('@');
    let redirect =
        a.clean().any(|s| redirects(&s.lower)) || (names_address && a.any(&REDIRECT_WEAK));
    if wrong_strong || redirect && !interest {
        return Intent::WrongPerson;
    }
    if interest {
        // A request and a refusal in the same reply ("Sure, I'd love a demo, right after I
        // read forty other pitches. Not for us."): sarcasm or a hedge, a person decides.
        if a.any(&vocab::NOT_INTERESTED) || a.any(&DECLINE) || puts_off(a) {
            return Intent::Unclear;
        }
        return Intent::Interested;
    }
    if a.clean().any(|s| {
        (s.question || s.request || vocab::INFO_ONLY.is_match(&s.lower))
            && (!topics_of(&s.lower).is_empty()
                || asks_about_product(&s.lower)
                || s.question && vocab::QUESTION.is_match(&s.lower))
    }) {
        return Intent::Question;
    }
    if not_now(a) {
        return Intent::NotNow;
    }
    // "Have we spoken before?" asks; it does not decline.
    if a.clean().any(|s| {
        !s.question
            && (NOT_INTERESTED.is_match(&s.lower) || vocab::NOT_INTERESTED.is_match(&s.lower))
    }) {
        return Intent::NotInterested;
    }
    Intent::Unclear
}

/// "Does it support …", "Can your platform …", "Does Acme Observe have …": a question
/// about what the product does, not "Why would we need this?".
pub(super) fn asks_about_product(lower: &str) -> bool {
    const NOT_THE_PRODUCT: &[&str] = &[
        "we", "i", "they", "he", "she", "this", "that", "there", "these", "those", "our",
    ];
    PRODUCT_QUESTION.captures_iter(lower).any(|c| {
        c.get(2)
            .is_none_or(|subject| !NOT_THE_PRODUCT.contains(&subject.as_str()))
    })
}

/// Sends us to someone else ("please contact our CTO"), but not "please contact me in Q2".
pub(super) fn redirects(lower: &str) -> bool {
    let found = REDIRECT
        .find_iter(lower)
        .chain(vocab::REDIRECT.find_iter(lower));
    found.into_iter().any(|m| {
        let after = lower.get(m.end()..).unwrap_or("").trim_start();
        !(after.starts_with("me ")
            || after.starts_with("us ")
            || after == "me"
            || after == "us"
            || after.starts_with("me.")
            || after.starts_with("us.")
            || after.starts_with("me,"))
    })
}

/// Asks for a demo, meeting, call, proposal, trial or POC now (not deferred to a later
/// time, not negated, not a mere question about how a trial works).
pub(super) fn interested(a: &Analysis) -> bool {
    a.clean().any(|s| {
        if defers(&s.lower, a.reference) {
            return false;
        }
        if unnegated(&INTEREST_STRONG, &s.lower) || unnegated(&vocab::INTERESTED, &s.lower) {
            return true;
        }
        let has_noun =
            unnegated(&INTEREST_NOUN, &s.lower) || unnegated(&vocab::INTEREST_NOUN, &s.lower);
        let has_marker = s.request
            || unnegated(&INTEREST_MARKER, &s.lower)
            || unnegated(&vocab::INTEREST_MARKER, &s.lower);
        if !(has_noun && has_marker) {
            return false;
        }
        // "Could you tell me how the trial works?" asks about the trial, it does not ask
        // for one; a meeting noun in the same sentence still makes it a request.
        !(INFO_ONLY.is_match(&s.lower) || vocab::INFO_ONLY.is_match(&s.lower))
            || MEETING_NOUN.is_match(&s.lower) && !vocab::INFO_ONLY.is_match(&s.lower)
    })
}

/// A sentence that puts the conversation off ("not now", "write to me again next year"):
/// a deferral with a negation or a verb of contact, not a date alone ("we open an office
/// next year").
pub(super) fn puts_off(a: &Analysis) -> bool {
    a.clean().any(|s| {
        (NOT_NOW.is_match(&s.lower) || vocab::NOT_NOW.is_match(&s.lower))
            && (NEGATION.is_match(&s.lower)
                || vocab::NEGATION.is_match(&s.lower)
                || CONTACT_VERB.is_match(&s.lower))
    })
}

pub(super) fn not_now(a: &Analysis) -> bool {
    a.clean().any(|s| {
        NOT_NOW.is_match(&s.lower)
            || vocab::NOT_NOW.is_match(&s.lower)
            || (defers(&s.lower, a.reference) && CONTACT_VERB.is_match(&s.lower))
    })
}
