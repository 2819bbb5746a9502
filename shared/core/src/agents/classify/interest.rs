//! How people say yes, ask, or put off: interest, meetings, questions, not now, not
//! interested.

use super::*;

pattern!(
    pub(super) INTEREST_NOUN,
    r"(?x)
        \b
        (
            demo
          | demos
          | demonstration
          | walk-?through
          | call
          | meeting
          | chat
          | conversation
          | intro
          | session
          | calendar
          | invite
          | invitation
          | proposal
          | quote
          | quotation
          | trial
          | poc
          | proof[-\ ]of[-\ ]concept
          | pilot
          | vorführung
          | präsentation
          | termin
          | gespräch
          | telefonat
          | angebot
          | testphase
          | testversion
          | démo
          | démonstration
          | présentation
          | rendez-vous
          | rdv
          | appel
          | réunion
          | échange
          | visio
          | devis
          | proposition
          | essai
          | pilote
          | demostración
          | reunión
          | llamada
          | videollamada
          | propuesta
          | cotización
          | prueba
          | piloto
          | afspraak
          | gesprek
          | belletje
          | offerte
          | voorstel
          | proefperiode
        )\b
    "
);
pattern!(
    pub(super) INTEREST_MARKER,
    r"(?x)
        (
            \b(i'?d|i\ would|we'?d|we\ would)\ (like|love|want|be\ (interested|keen|happy|glad|open))\b
          | \b(i'?m|i\ am|we'?re|we\ are)\ (interested|keen|open)\b
          | \binterested\ in\b
          | \bkeen\ (to|on)\b
          | \b(happy|glad|open)\ to\b
          | \blet'?s\b
          | \b(can|could|shall|should)\ we\b
          | \b(can|could|would)\ you\ (send|share|set|book|schedule|arrange|organi[sz]e|put\ together|prepare|give|run|do|show|walk)\b
          | \bplease\ (send|share|set|book|schedule|arrange|prepare)\b
          | \bsend\ (me|us|over)\b
          | \bshare\ (a|an|some|your)\b
          | \bset\ up\b
          | \bschedule\b
          | \bbook\b
          | \barrange\b
          | \bfind\ (a\ )?time\b
          | \bworks?\ for\ (me|us|a|the)\b
          | \bsuits?\ (me|us)\b
          | \b(sign|signing)\ up\b
          | \bget\ started\b
          | \bstart\ (a|the|our)\b
          | \bkick\ off\b
          | \bgo\ ahead\b
          | \blike\ to\ try\b
          | \bwant\ to\ try\b
          | \btry\ (it|it\ out|your\ (product|tool|platform))\b
          | \bgerne?\b
          | \bwürde\w*\b
          | \bmöchte\w*\b
          | \b(können|könnten)\ wir\b
          | \blassen\ sie\ uns\b
          | \b(schicken|senden)\ sie\b
          | \bvereinbaren\b
          | \bpasst\b
          | \binteressiert\b
          | \binteresse\ an\b
          | \bintéressée?s?\b
          | \bj'aimerais\b
          | \bje\ voudrais\b
          | \bnous\ voudrions\b
          | \b(pouvons|pourrions|pourriez)[-\ ](nous|vous)\b
          | \benvoyez\b
          | \bvolontiers\b
          | \bdisponibles?\b
          | \bça\ me\ va\b
          | \bconvient\b
          | \borganiser\b
          | \bplanifier\b
          | \bme\ interesa\b
          | \bnos\ interesa\b
          | \binteresad[oa]s?\b
          | \b(me|nos)\ gustaría\b
          | \bquisiera\b
          | \b(podemos|podríamos)\b
          | \benv[ií](e|en|ame|enos)\b
          | \bmánd(ame|enos)\b
          | \bagendar\b
          | \bprogramar\b
          | \bme\ viene\ bien\b
          | \bgraag\b
          | \bik\ wil\b
          | \bwij\ willen\b
          | \bzou(den)?\ (ik|we)\b
          | \bkunnen\ we\b
          | \bstuur\b
          | \b(in)?plannen\b
          | \bschikt\b
          | \bgeïnteresseerd\b
          | \binteresse\ in\b
        )
    "
);
pattern!(
    pub(super) INTEREST_STRONG,
    r"(?x)
        (
            \blet'?s\ (talk|chat|connect|meet|do\ (it|this|a\ call|a\ demo)|set\ (it|something|a\ time)\ up|find\ a\ time|schedule|get\ (something|a\ call|a\ demo)\ (on|in|booked))\b
          | \b(send|share)\ (me|us)?\ ?(a\ |an\ |your\ )?(calendar|booking|meeting|scheduling)\ (link|invite|invitation)\b
          | \bsend\ (me\ |us\ )?(an?\ )?(calendar\ )?invite\b
          | \b(happy|glad|keen|open)\ to\ (chat|talk|meet|connect|learn\ more|take\ a\ look|hop\ on|jump\ on|see\ (it|a\ demo|more|how))\b
          | \b(i'?d|i\ would|we'?d|we\ would)\ (like|love)\ to\ (see|try|explore|learn\ more|get\ a\ demo|set\ up|book|schedule|start)\b
          | \b(i'?d|i\ would|we'?d|we\ would)\ be\ (interested|keen)\ in\b
          | \b(i'?m|i\ am|we'?re|we\ are)\ (very\ |definitely\ |really\ )?interested\b
          | \b(monday|tuesday|wednesday|thursday|friday|tomorrow|next\ week|this\ week)\b.{0,40}\b(works|work\ for|suits|is\ good|is\ fine|would\ work|are\ (best|good|fine))\b
          | \bdoes\ (monday|tuesday|wednesday|thursday|friday|tomorrow|next\ week|\d{1,2}(:\d\d)?\ ?(am|pm))\b.{0,40}\bwork\b
          | \bworks\ for\ (a|the)\ (demo|call|meeting|chat)\b
          | \bsign\ (me|us)\ up\b
          | \bcount\ (me|us)\ in\b
          | \bsounds\ (good|great|interesting)[,.!]?\ (let'?s|send|book|when)\b
          | \bwalk\ (me|us|our\ team)\ through\b
          | \b(book|grab|schedule|find|block)\b.{0,10}\b(some\ time|a\ slot|slots|\d+\ ?(min|mins|minutes))\b
          | \b(send|suggest|propose|share|let\ me\ know)\b.{0,20}\b(slots|a\ few\ times|some\ times|times\ that\ work|your\ availability)\b
          | \bplan\ (maar\ )?een\ (demo|afspraak|gesprek|call)\b
          | \b(give|show)\ (me|us)\ (a\ )?(demo|tour|walkthrough)\b
          | \bsee\ it\ in\ action\b
          | \b(would|'d)\ (love|like)\ to\ (see|try)\ (it|your\ (product|tool|platform)|the\ (product|tool|platform)|a\ demo|how)\b
          | \b(can|could)\ you\ (call|ring|phone)\ (me|us)\b
          | \b(können|könnten)\ wir\b.{0,40}\b(telefonieren|sprechen|treffen|austauschen)\b
          | \b(pouvons|pourrions)[-\ ]nous\b.{0,40}\b(parler|échanger|discuter|appeler|rencontrer)\b
          | \b(podemos|podríamos)\b.{0,40}\b(hablar|reunirnos|conversar|vernos)\b
          | \bkunnen\ we\b.{0,40}\b(bellen|spreken|afspreken|praten)\b
          | \bgraag\ een\ (demo|afspraak|gesprek|offerte)\b
          | \bgerne\ (eine|einen|ein)\ (demo|termin|gespräch|angebot)\b
          | \bje\ serais\ (très\ )?intéressée?\ par\b
          | \bme\ (interesa|gustaría)\ (una|un|ver|probar|agendar)\b
        )
    "
);
pattern!(
    pub(super) MEETING_NOUN,
    r"(?x)
        \b
        (
            demo
          | demos
          | demonstration
          | walk-?through
          | call
          | meeting
          | chat
          | conversation
          | session
          | vorführung
          | präsentation
          | termin
          | gespräch
          | telefonat
          | démo
          | démonstration
          | présentation
          | rendez-vous
          | appel
          | réunion
          | échange
          | demostración
          | reunión
          | llamada
          | afspraak
          | gesprek
          | belletje
        )\b
    "
);
pattern!(
    pub(super) INFO_ONLY,
    r"(?x)
            \b(could|can|would)\ you\ (tell|explain|clarify|confirm|let\ me\ know)\b
          | \b(like|want|love)\ to\ (know|understand|learn)\b
          | \b(info|information|details|documentation|docs|more\ about|a\ brochure|a\ one-pager|a\ deck)\b
          | \bhow\ (does|do|would|will)\ (the|a|your)\ (trial|poc|pilot|proof)\b
          | \b(is|are)\ there\ (a|any)\ (free\ )?(trial|pilot|poc)\b
          | \bdo\ you\ (offer|have|provide)\ (a\ |any\ )?(free\ )?(trial|pilot|poc|demo)\b
    "
);

pattern!(
    pub(super) NOT_NOW,
    r"(?x)
        (
            \bnot\ (the\ right|a\ good|the\ best|an\ ideal)\ (time|moment)\b
          | \bbad\ timing\b
          | \bnot\ (right\ )?now\b
          | \bnot\ at\ (the|this)\ (moment|time|stage|point)\b
          | \bnot\ (a|the)\ (priority|focus)\b
          | \bno\ bandwidth\b
          | \b(won't|don't|do\ not|will\ not)\ have\ (the\ )?(bandwidth|capacity|time)\b
          | \btoo\ (busy|early)\b
          | \bmaybe\ (later|next|in|after|down\ the\ road)\b
          | \breach\ out\ (again\ )?(in|after|next|later|around|once|when|then)\b
          | \b(busy|heads[-\ ]down|swamped|tied\ up|slammed|focused\ on\ \w+)\ (until|till|through)\b
          | \bcheck\ back\b
          | \bcircle\ back\b
          | \btouch\ base\b.{0,20}\b(in|after|later|next)\b
          | \bget\ (back\ )?in\ touch\ (again\ )?(in|after|next|later|around|once|when|before)\b
          | \bget\ back\ to\ (me|us)\ (in|after|next|later|around|once|when)\b
          | \bcheck\ (back|in)\ (again\ )?(then|in|after|next|later|around|once|when)\b
          | \bnot\ this\ (year|quarter|month)\b
          | \bping\ me\ (again\ )?(in|after|later|next|once|when)\b
          | \bfollow\ up\ (again\ )?(in|after|next|later)\b
          | \bcontact\ (me|us)\ (again\ )?(in|after|later|next|once|when)\b
          | \brevisit\b
          | \bfrozen\b
          | \bfreeze\b
          | \bnothing\ to\ discuss\ until\b
          | \blater\ (this|next)\ year\b
          | \bdown\ the\ road\b
          | \bin\ the\ (new\ year|future)\b
          | \b(derzeit|momentan|aktuell|im\ moment|zurzeit)\ (nicht|kein)\w*
          | \bspäter\b
          | \bnächste(s|n)?\ jahr\b
          | \bmelden\ sie\ sich\ (gerne\ |bitte\ )?(wieder\ |erneut\ |nochmal\ )?(im|in|nach|ab)\b
          | \bpas\ le\ bon\ moment\b
          | \bpas\ pour\ (le\ moment|l'instant|maintenant)\b
          | \bplus\ tard\b
          | \bl'année\ prochaine\b
          | \brecontacte[rz]\b
          | \brevenez\ vers\b
          | \bno\ es\ (buen|el)\ momento\b
          | \bahora\ (mismo\ )?no\b
          | \bmás\ adelante\b
          | \bel\ (año|mes)\ que\ viene\b
          | \bel\ próximo\ año\b
          | \b(escríbeme|escríbanos|escríbenos|contáctame|contáctenos|vuelve\ a\ escribir)\ de\ nuevo\b
          | \bvuelv[ae]\ a\ (escribir|contactar)\w*\b
          | \bgeen\ goed\ moment\b
          | \bniet\ het\ juiste\ moment\b
          | \bop\ dit\ moment\ niet\b
          | \bvolgend\ jaar\b
          | \bneem\ (later|opnieuw|in)\ .{0,20}contact\b
          | \bbenader\ (me|ons)\ (later|opnieuw)\b
        )
    "
);
pattern!(
    pub(super) CONTACT_VERB,
    r"(?x)
        \b
        (
            reach\ out
          | get\ in\ touch
          | get\ back
          | check\ in
          | looking\ at
          | look\ at
          | contact
          | ping
          | write
          | email
          | e-mail
          | talk
          | chat
          | speak
          | conversation
          | follow\ up
          | touch\ base
          | reconnect
          | try\ (me|us)\ again
          | come\ back
          | look\ again
          | take\ a\ look
          | happy\ to
          | melden
          | auf\ mich\ zu
          | zurückkommen
          | sprechen
          | schreiben
          | contacter
          | écrire
          | parler
          | échanger
          | escrib\w*
          | contact\w*
          | habl\w*
          | mail\w*
          | bellen
          | spreken
          | contact\ opnemen
        )\b
    "
);
pattern!(
    pub(super) NOT_INTERESTED,
    r"(?x)
        (
            \bnot\ interested\b
          | \bnot\ (the\ right|a\ good|the\ best)\ (one|fit|match|solution|tool)\ for\ us\b
          | \bnot\ right\ for\ us\b
          | \b(don't|do\ not)\ have\ (a|any)\ need\b
          | \bnot\ in\ the\ market\b
          | ^\W*(no|nope|nein|non|nee)\W*$
          | \b(isn't|is\ not|not)\ (something|anything)\ (we|i)\ (need|want|are\ looking\ for|'re\ looking\ for)\b
          | \bno\ thanks\b
          | \bno,?\ thank\ you\b
          | \bthanks,?\ but\ no\b
          | \bnot\ (relevant|a\ fit|a\ good\ fit|for\ us|something\ we\ need)\b
          | \b(isn't|is\ not|aren't|are\ not)\ (relevant|a\ fit|a\ priority\ for\ us|for\ us)\b
          | \bnot\ looking\ (for|at|to)\b
          | \bno\ plans\ to\ (change|switch|move|replace|look)\b
          | \b(we'?re|we\ are)\ (happy|satisfied|fine|good|all\ set|set)\ with\b
          | \ball\ set\b
          | \balready\ (have|use|using|signed|built|work\ with|working\ with|has|got)\b
          | \bbuilt\ (our|it)\ own\b
          | \bin-house\b
          | \bwill\ pass\b
          | \bwe'?ll\ pass\b
          | \bpass\ on\ this\b
          | \b(won't|will\ not|aren't|are\ not)\ (be\ )?(evaluating|considering|looking)\b
          | \b(don't|do\ not)\ need\b
          | \bno\ need\b
          | \bno\ use\ for\b
          | \bno\ budget\b
          | \bnot\ (worth|needed)\b
          | \bkein(en)?\ (interesse|bedarf)\b
          | \bnicht\ interessiert\b
          | \bnein,?\ danke\b
          | \bbrauchen\ wir\ nicht\b
          | \bhaben\ (bereits|schon)\b
          | \bpas\ intéressée?s?\b
          | \bne\ sommes\ pas\ intéressés\b
          | \bpas\ d'intérêt\b
          | \bnon,?\ merci\b
          | \bpas\ besoin\b
          | \bavons\ déjà\b
          | \bno\ (nos|me)\ interesa\b
          | \bno\ estamos\ interesad[oa]s\b
          | \bno,?\ gracias\b
          | \bno\ necesitamos\b
          | \bya\ (tenemos|contamos\ con|usamos)\b
          | \bgeen\ interesse\b
          | \bniet\ geïnteresseerd\b
          | \bnee,?\ (dank\ je|bedankt|dankjewel)\b
          | \bgeen\ behoefte\b
          | \bhebben\ (al|reeds)\b
          | \bniet\ nodig\b
        )
    "
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
    r"(?x)
            \b(do|does|can|could|will|would|is|are)\s+(you|it|your\ (product|platform|tool|service|team|solution)|[a-z][a-z0-9-]*)\s+(support|offer|have|provide|work|integrate|handle|run|monitor|detect|store|include|connect|cover|need|require|track|alert|increase|cost|charge|host|keep|send|access|read)\b
          | \b(unterstützen|bieten|haben|können)\ sie\b
          | \b(supportez|proposez|avez|offrez|gérez)[-\ ]vous\b
          | \b(tienen|ofrecen|soportan|admiten|pueden)\b
          | \b(ondersteunen|bieden|hebben|kunnen)\ jullie\b
          | \b(ondersteunt|biedt|heeft)\ (u|het)\b
    "
);
