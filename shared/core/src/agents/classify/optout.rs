//! How people say no to us: complaints, opt-outs (unsubscribe, erasure), wrong person and
//! redirects to a colleague.

use super::*;

pattern!(
    pub(super) COMPLAINT,
    r"(?x)
        (
            \bspam(ming|med|mer|my)?\b
          | \bunsolicited\b
          | \b(report(ing|ed)?|flag(ging|ged)?)\s+(you|your\ (company|domain|e-?mails?|messages?|address)|this\ (e-?mail|message|as))\b
          | \breport(ing|ed)?\ (this|it)\b.{0,30}\b(provider|authorit\w+|abuse|regulator|ico|cnil|spamhaus|postmaster|isp|google|microsoft)\b
          | \breport(ed|ing)?\ (you\ |this\ |it\ )?to\ (the\ |your\ |our\ )?(ico|cnil|aepd|ftc|fcc|regulator|authorit\w+|data\ protection|provider|email\ provider|isp|abuse|spamhaus|postmaster|police|google|microsoft|gmail|outlook)\b
          | \bmarked\ (it\ |this\ |you\ |this\ (e-?mail|message)\ )?as\ (spam|junk)
          | \bforwarded\ (it\ )?to\ abuse\b
          | \babuse\ (desk|team|department|report)\b
          | \bharass\w*
          | \blegal\ action\b
          | \b(contact|involve|call|instruct|hear\ from|get)\ (my|our)\ (lawyer|attorney|solicitor)s?\b
          | \b(lawyer|attorney|solicitor)s?\ (will|is\ going\ to)\ (contact|be\ in\ touch|hear)\b
          | \bsue\ you\b
          | \billegal\b
          | \bunlawful\b
          | \bviolat\w+\b.{0,20}\b(gdpr|law|can-spam|casl|pecr|privacy|regulation)
          | \b(gdpr|dsgvo|rgpd|avg|privacy|can-spam|data\ protection)\ (violation|breach|verstoß|infraction|schending)\b
          | \b(data\ protection|supervisory)\ authority\b
          | \bico\b
          | \bcnil\b
          | \baepd\b
          | \bcease\ and\ desist\b
          | \bblock\ ?list\w*\b
          | \bblacklist\w*\b
          | \bscam\w*\b
          | \bhow\ dare\b
          | \bbelästig\w*
          | \bunerwünscht\w*
          | \b(anwalt|rechtsanwalt)\ (einschalten|beauftragen|informieren)\b
          | \banwaltliche\ schritte\b
          | \babmahnung\b
          | \bdatenschutzbehörde\b
          | \baufsichtsbehörde\b
          | \brechtliche\ schritte\b
          | \bpourriel\w*
          | \bharcèlement\b
          | \bnon\ sollicité\w*
          | \b(contacter|saisir)\ (mon|notre)\ avocat\b
          | \bpoursuites\b
          | \bplainte\b
          | \bsignal(er|é|erai)\b
          | \bcorreo\ no\ deseado\b
          | \bacoso\b
          | \bno\ solicitad[oa]s?\b
          | \b(mi|nuestro)\ abogado\b
          | \bacciones\ legales\b
          | \bmedidas\ legales\b
          | \bdenunci(ar|aré|a)\b
          | \bongevraagd\w*
          | \bongewenst\w*
          | \b(mijn|onze)\ advocaat\b
          | \bjuridische\ stappen\b
          | \bautoriteit\ persoonsgegevens\b
          | \baangifte\b
        )
    "
);
pattern!(
    pub(super) SPAM_FOLDER,
    r"\b(spam|junk) (folder|filter|box|ordner|map|carpeta|dossier)\b|\b(in|from|into) (my |the )?(spam|junk)\b|\bnot spam\b"
);
pattern!(
    pub(super) UNSUBSCRIBE,
    r"(?x)
        (
            \bunsubscrib\w*
          | \bremove\ (me|us|my\ (name|e-?mail|address|details|data))\b
          | \bremove\ \S+@\S+\b
          | \btake\ (me|us|my\ (name|e-?mail|address))\ off\b
          | \boff\ (your|the|all(\ of)?\ your)\ (list|lists|mailing\ list|distribution|database)\b
          | \bstop\ (e-?mailing|emailing|mailing|contacting|messaging|spamming)\b
          | \bstop\ (sending|writing)\ (me|us|these|this|those|emails|e-mails|messages|them)\b
          | \b(don't|do\ not|never|please\ don't|please\ do\ not)\ (e-?mail|contact|write|message|mail|bother)\ (me|us|anyone)\b
          | \bdo\ not\ contact\b
          | \bno\ (more|further)\ (e-?mails|emails|messages|mail|contact)\b
          | \b(don't|do\ not)\ want\ to\ (receive|get|hear)\b
          | \bopt(-|\ )?(me\ )?out\b
          | \b(delete|erase|remove|purge)\b.{0,30}\b(personal\ (data|information|details)|my\ (data|information|details|contact|personal)|all\ (data|information)\ (you\ hold|about\ me))
          | \bright\ to\ (erasure|object|be\ forgotten)\b
          | \bart(\.|icle|ikel|ículo|iculo)?\s?(17|21)\b
          | \brecht\ auf\ (löschung|vergessenwerden|widerspruch)\b
          | \bdroit\ (à\ l'effacement|à\ l'oubli|d'opposition)\b
          | \bderecho\ (al\ olvido|de\ supresión|de\ oposición)\b
          | \brecht\ op\ (vergetelheid|verwijdering|gegevenswissing|bezwaar)\b
          | \b(under|per|pursuant\ to)\ (the\ )?ccpa\b
          | \bccpa\ request\b
          | \b(don't|do\ not)\ (follow\ up|reach\ out|send)\b
          | \bleave\ me\ alone\b
          | \babmeld\w*
          | \baustragen\b
          | \baus\ (ihrem|dem|ihrer|allen)\ (verteiler|liste|mailingliste|listen)\b
          | \bkeine\ (weiteren\ |e-?mails|nachrichten|kontakt)\w*
          | \b(kontaktieren|schreiben|anschreiben)\ sie\ mich\ (bitte\ )?(nicht|nie)\ mehr\b
          | \bnicht\ mehr\ (kontaktieren|anschreiben|schreiben)\b
          | \blöschen\ sie\ (bitte\ )?(meine|alle)\b
          | \blöschung\ (meiner|der)\ (daten|personenbezogenen)\b
          | \bwiderspr(uch|eche)\b
          | \bdésinscri\w*
          | \bdésabonn\w*
          | \bretirez[-\ ]moi\b
          | \bretirer\ (mon\ adresse|mes\ coordonnées)\b
          | \bne\ (plus|me)\ (me\ )?(contacter|contactez|écrire|écrivez|envoyer)\b
          | \bne\ me\ contactez\ plus\b
          | \bsupprime[rz]\ (mes|toutes\ mes)\ (données|coordonnées|informations)\b
          | \bdarme\ de\ baja\b
          | \bdar(me)?\ de\ baja\b
          | \bden(me)?\ de\ baja\b
          | \bbaja\ de\ (la|su|sus|vuestra)\ lista\b
          | \bno\ me\ (escriba|escribas|contacte|contactes|envíe|envíen|envies)\w*\b
          | \bdejen?\ de\ (escribirme|enviarme|contactarme)\b
          | \b(eliminar|borrar|suprimir|eliminen|borren|supriman)\ (mis|todos\ mis)\ datos\b
          | \bafmeld\w*
          | \buitschrijv\w*
          | \bverwijder\ (mij|me|mijn)\b
          | \bhaal\ (mij|me)\ (van|uit)\b
          | \bgeen\ (e-?mails|berichten|mails)\ meer\b
          | \bniet\ meer\ (mailen|benaderen|contacteren|e-?mailen)\b
          | \bmijn\ gegevens\ (verwijderen|wissen)\b
          | ^\W*(please\ )?(stop|remove|unsubscribe|abmelden|désabonner|baja|afmelden)(\ (it|this|these|me))?\W*$
        )
    "
);
pattern!(
    pub(super) WRONG_PERSON,
    r"(?x)
        (
            \bnot\ the\ (right|correct|best|appropriate|relevant|proper)\ (person|contact|people|guy|department|team)\b
          | \bnot\ the\ (decision[-\ ]?maker|one\ who\ decides|buyer|budget\ holder)\b
          | \bwrong\ (person|contact|guy|department|team|address|recipient)\b
          | \b(not|isn't|is\ not|wasn't)\ my\ (area|department|field|responsibility|call|decision|remit|domain|wheelhouse|job|role)\b
          | \bleft\ (the\ company|the\ business|the\ organi[sz]ation|the\ firm|the\ team)\b
          | \b(his|her|their)\ (replacement|successor)\b
          | \bno\ longer\ with\ us\b
          | \bnot\ (responsible|in\ charge)\ for\b
          | \bi'?m\ not\ (responsible|in\ charge|involved)\b
          | \bno\ longer\ (with|at|work(ing)?\ (at|for|with|here)|employed|part\ of|in\ charge|responsible)\b
          | \b(has|have)\ (now\ )?left\ (the\ company|the\ business|the\ organi[sz]ation|the\ firm)\b
          | \b(i'?m|i\ am)\ (actually\ )?leaving\ (the\ company|the\ business|the\ team|my\ (role|position|job)|\w+\ (at|by)\ the\ end|at\ the\ end|next\ (week|month)|on\ \w+day)\b
          | \b(don't|do\ not|doesn't)\ (make|handle|own|take)\ (any\ )?(purchasing|buying|tooling|budget|technology|vendor)?\ ?decisions\b
          | \b(i'?m|i\ am)\ not\ involved\ (in|with)\b
          | \b(i'?m|i\ am|i\ work)\ in\ [a-z]+,?\ not\b
          | \bnicht\ (der|die)\ (richtige|zuständige)\ (ansprechpartner\w*|person|kontakt)\b
          | \bnicht\ zuständig\b
          | \bfalsche\w*\ (ansprechpartner\w*|person|kontakt)\b
          | \bnicht\ mehr\ (bei|im\ unternehmen|für|in\ der\ firma)\b
          | \bhat\ das\ unternehmen\ verlassen\b
          | \bpas\ la\ bonne\ personne\b
          | \bpas\ (le\ bon|la\ bonne)\ interlocut\w*
          | \bmauvais\ interlocuteur\b
          | \bne\ travaille\ plus\b
          | \ba\ quitté\ (l'entreprise|la\ société)\b
          | \bn'est\ plus\ (chez|dans)\b
          | \bpas\ de\ mon\ ressort\b
          | \bne\ suis\ pas\ (responsable|en\ charge|la\ personne)\b
          | \bne\ m'occupe\ (pas|plus)\b
          | \bno\ soy\ la\ persona\ (adecuada|indicada|correcta)\b
          | \bpersona\ (equivocada|incorrecta)\b
          | \bya\ no\ trabajo\b
          | \bya\ no\ (está|forma\ parte)\b
          | \bdejó\ la\ empresa\b
          | \bno\ es\ mi\ área\b
          | \bno\ me\ corresponde\b
          | \bniet\ de\ (juiste|goede)\ persoon\b
          | \bverkeerde\ persoon\b
          | \bwerk(t)?\ (hier\ )?niet\ meer\b
          | \bniet\ (meer\ )?verantwoordelijk\b
          | \bniet\ mijn\ (afdeling|terrein|gebied)\b
        )
    "
);
pattern!(
    pub(super) REDIRECT,
    r"(?x)
        (
            \b(i\ think\ |i\ believe\ |probably\ |actually\ )you('ll)?\ (want|need)\b
          | \byou('ll|\ will)?\ (want|need|should|have)\ to\ (talk|speak|reach\ out|contact|ask|email|write)\b
          | \byou\ should\ (talk|speak|reach\ out|contact|ask|email|write)\b
          | \byou('d|\ would)\ (be\ )?better\ (off\ )?(talking|speaking|contacting|asking)\b
          | \b(better|best)\ (to\ )?(contact|reach|ask|talk\ to|speak\ to|email)\b
          | \bplease\ (contact|reach\ out\ to|continue\ with|talk\ to|speak\ to|get\ in\ touch\ with|write\ to|email|e-mail|direct\ \w+\ to|forward\ \w+\ to)\b
          | \b(maybe\ |perhaps\ )?(try|ask)\ (our|my|the)\ \w+(\ \w+)?\ (team|people|department|colleague|guys|folks|group)\b
          | \breach\ out\ to\ (him|her|them)\b
          | \b(have|i've|i\ have)\ (copied|cc'?d|looped\ in|forwarded)\b
          | \bforwarded\ (this|your\ (e-?mail|message|note))\b
          | \bforwarding\ (this\ |it\ |your\ (e-?mail|message|note)\ )?to\b
          | \b(decisions?|purchasing|buying)\ .{0,40}\b(are|is)\ (made|handled|owned)\ by\b
          | \bthe\ right\ (person|contact)\ (is|would\ be|for\ this)\b
          | \bwenden\ sie\ sich\ (bitte\ )?an\b
          | \bzuständig\ ist\b
          | \bansprechpartner(in)?\ (ist|wäre)\b
          | \bcontactez\ plutôt\b
          | \ble\ bon\ interlocuteur\ (est|serait)\b
          | \badressez-vous\ à\b
          | \bcontacte\ (a|con)\b
          | \ble\ recomiendo\ (contactar|escribir)\b
          | \bla\ persona\ (adecuada|indicada)\ es\b
          | \bneem\ contact\ op\ met\b
          | \bkunt\ (u|je)\ beter\b
          | \bde\ juiste\ persoon\ is\b
        )
    "
);
pattern!(
    pub(super) REDIRECT_WEAK,
    r"(?x)
        (
            \b(his|her|their)\ (e-?mail|address)\ is\b
          | \bthat\ would\ be\ (our|my)\b
          | \b(runs|handles|owns|manages|leads|is\ responsible\ for|is\ in\ charge\ of)\ (engineering|data|it|our\ data|the\ data\ team|tooling|purchasing|procurement|this|that)\b
          | \bescrib[ae]\ a\b
          | \bcontact(ez)?\ \w+\ at\b
        )
    "
);
