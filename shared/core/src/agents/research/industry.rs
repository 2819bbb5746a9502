//! The company's industry from weighted terms.

use super::*;

/// Industry words, in the lead CSV's vocabulary (ICP industries, excluded industries and a few
/// common others), with how strongly each word points there.
/// An industry and its weighted terms.
pub(super) type IndustryTerms = (&'static str, Vec<(Regex, u32)>);

pub(super) static INDUSTRIES: LazyLock<Vec<IndustryTerms>> = LazyLock::new(|| {
    let table: &[(&str, &[(&str, u32)])] = &[
        (
            "logistics",
            &[
                (r"log[ií]stica|logistik|logistique|spedition", 3),
                (r"distribution cent(?:re|er)s?", 2),
                (r"freight forward\w*", 3),
                (r"fulfil?ment cent(?:re|er)s?", 2),
                (r"last[- ]mile", 2),
                (r"logistics?", 3),
                (r"freight", 3),
                (r"shippers?", 2),
                (r"carriers", 2),
                (r"truckload|trucking|haulage|hauliers?", 3),
                (r"ltl", 2),
                (r"cross-docks?", 2),
                (r"3pl|third-party logistics", 3),
                (r"supply chains?", 2),
                (r"warehousing", 2),
                (r"courier", 2),
                (r"parcels?", 1),
                (r"shipments?", 1),
                (r"fleet", 1),
            ],
        ),
        (
            "e-commerce",
            &[
                (r"commerce", 2),
                (r"(?:shop|order|buy) online", 2),
                (r"free (?:shipping|returns|delivery)", 2),
                (r"e-?commerce", 3),
                (r"online[- ]shops?|web ?shops?|online[- ]stores?", 2),
                (r"online[- ]only", 3),
                (r"online retailer", 3),
                (r"direct-to-consumer|d2c", 2),
                (r"marketplace", 1),
                (r"delivery|delivered|delivers", 1),
                (r"checkout", 1),
            ],
        ),
        (
            "retail",
            &[
                (r"grocer(?:s|y|ies)?", 3),
                (r"showrooms?", 2),
                (r"einzelhandel|detailhandel", 3),
                (r"retail(?:er|ers)?", 3),
                (r"stores", 2),
                (r"store", 1),
                (r"garden cent(?:re|er)s?", 2),
                (r"supermarkets?|department stores?|hypermarkets?", 3),
                (r"high street", 2),
                (r"brick-and-mortar", 3),
                (r"boutiques?", 2),
                (r"outlets", 1),
                (r"shoppers", 1),
                (r"loyalty", 1),
            ],
        ),
        (
            "fintech",
            &[
                (r"pagamentos|pagos|zahlungen|paiements|betalningar", 3),
                (r"ledgers?", 1),
                (r"merchants", 1),
                (r"neobank", 4),
                (r"open banking", 3),
                (r"crypto\w*", 2),
                (r"card issuing", 2),
                (r"fintech", 4),
                (r"payments?", 3),
                (r"payouts?", 2),
                (r"banking", 2),
                (r"bank", 1),
                (r"currenc(?:y|ies)", 2),
                (r"electronic money|e-money", 3),
                (r"cards", 1),
                (r"lending|loans", 2),
                (r"wallets?", 1),
                (r"invoices?|invoicing", 1),
                (r"financial conduct authority|fca", 1),
                (r"money transfers?|remittances?", 3),
                (r"pay", 1),
            ],
        ),
        (
            "insurance",
            &[
                (
                    r"versicherung\w*|seguros?|assicurazion\w*|f[öo]rs[äa]kring\w*|forsikring\w*|verzekering\w*",
                    3,
                ),
                (r"policies", 1),
                (r"insurance", 3),
                (r"insurers?", 3),
                (r"assurances?", 3),
                (r"insurtech", 3),
                (r"policyholders?", 3),
                (r"underwrit\w+", 2),
                (r"premiums", 1),
                (r"claims", 1),
                (r"mutual", 1),
                (r"cover", 1),
            ],
        ),
        (
            "media",
            &[
                (r"advertising|adtech|ad agency", 2),
                (r"studios?", 1),
                (r"films?|animation|documentar\w+", 2),
                (r"medien|m[ée]dias", 2),
                (r"entertainment", 1),
                (r"media", 2),
                (r"radio", 3),
                (r"broadcast\w*", 3),
                (r"podcasts?", 2),
                (r"streaming", 2),
                (r"listeners", 2),
                (r"viewers|readers", 1),
                (r"publish\w*", 2),
                (r"newspapers?|magazines?", 3),
                (r"television|tv", 3),
                (r"audio", 1),
                (r"journalism|newsroom", 1),
            ],
        ),
        (
            "telecommunications",
            &[
                (r"telco\w*", 3),
                (r"t[ée]l[ée]com\w*|telekom\w*|telecomunica\w*", 3),
                (r"telecom\w*", 3),
                (r"broadband", 3),
                (r"mobile network|mobile operator", 3),
                (r"fibre|fiber", 2),
                (r"5g|4g|lte", 2),
                (r"connectivity", 2),
                (r"sim", 2),
                (r"roaming", 2),
                (r"network operator|operator", 1),
                (r"mobile", 1),
                (r"network", 1),
            ],
        ),
        (
            "healthtech",
            &[
                (r"care homes?|home care|caregivers?|carers", 2),
                (r"nurses|nursing|physicians|doctors|therap(?:y|ists)", 2),
                (r"mental health|wellbeing", 2),
                (r"digital health", 4),
                (r"medtech", 3),
                (r"hospitals?", 2),
                (r"health ?tech", 4),
                (r"patients?", 3),
                (r"clinics?", 2),
                (r"clinical|clinicians?", 2),
                (r"ehrs?|emr", 3),
                (r"hipaa", 3),
                (r"telehealth|telemedicine", 3),
                (r"remote patient monitoring", 3),
                (r"medical", 2),
                (r"fda", 2),
                (r"health", 1),
                (r"care", 1),
            ],
        ),
        (
            "software",
            &[
                (r"software", 3),
                (r"developers?", 1),
                (r"apps?", 1),
                (r"cloud", 1),
                (r"soc ?2", 1),
                (r"open[- ]source", 2),
                (r"devops", 2),
            ],
        ),
        (
            "saas",
            &[
                (r"free trial", 2),
                (r"per (?:user|seat)", 2),
                (r"cloud[- ]based", 1),
                (r"saas", 5),
                (r"software[- ]as[- ]a[- ]service", 5),
                (r"subscriptions?", 1),
            ],
        ),
        (
            "gambling",
            &[
                (r"casinos?", 4),
                (r"betting", 4),
                (r"gambl\w+", 4),
                (r"sportsbooks?", 4),
                (r"slots", 2),
                (r"poker", 3),
                (r"lottery|lotteries", 3),
                (r"wager\w*", 3),
                (r"bingo", 3),
                (r"igaming", 4),
            ],
        ),
        (
            "government",
            &[
                (r"civic", 2),
                (r"citizens", 2),
                (r"public services", 2),
                (r"councils", 2),
                (r"government", 3),
                (r"ministry", 3),
                (r"municipal\w*", 3),
                (r"public sector", 2),
                (r"federal agency", 3),
                (r"city council|county council", 3),
            ],
        ),
        (
            "defense",
            &[
                (r"surveillance", 1),
                (r"aerospace", 1),
                (r"defen[cs]e", 3),
                (r"military", 3),
                (r"armed forces", 3),
                (r"munitions?", 4),
                (r"missiles?", 4),
                (r"weapons?", 3),
            ],
        ),
        (
            "tobacco",
            &[
                (r"tobacco", 4),
                (r"cigarettes?|cigars?", 4),
                (r"nicotine", 4),
                (r"vap(?:e|es|ing)", 3),
            ],
        ),
        (
            "manufacturing",
            &[
                (r"manufactur\w+", 3),
                (r"factor(?:y|ies)", 2),
                (r"production plants?", 3),
                (r"industrial", 1),
                (r"machining|precision parts", 2),
            ],
        ),
        (
            "pharmaceuticals",
            &[
                (r"pharmaceutical\w*|pharma", 4),
                (r"drug development|clinical trials", 3),
                (r"biotech\w*", 2),
            ],
        ),
        (
            "education",
            &[
                (r"universit(?:y|ies)", 3),
                (r"schools?", 2),
                (r"students", 2),
                (r"edtech|e-learning", 3),
                (r"courses", 1),
            ],
        ),
        (
            "energy",
            &[
                (r"energy", 2),
                (r"utilit(?:y|ies)", 2),
                (r"electricity", 3),
                (r"renewables?|solar|wind farms?", 2),
                (r"oil and gas", 4),
            ],
        ),
        (
            "automotive",
            &[
                (r"automotive", 4),
                (r"car maker|carmaker|vehicles", 2),
                (r"dealerships?", 2),
            ],
        ),
    ];
    table
        .iter()
        .map(|(name, terms)| {
            let compiled = terms
                .iter()
                .map(|(t, w)| (re(&format!(r"(?i)\b(?:{t})\b")), *w))
                .collect();
            (*name, compiled)
        })
        .collect()
});

/// The industry the texts describe: weighted term counts, each text counted once (a footer on
/// every page is one text) and each term at most three times per text.
pub(super) fn classify_industry(texts: &[(String, u32)]) -> Option<String> {
    let mut scores: HashMap<&str, u32> = HashMap::new();
    for (text, weight) in texts {
        for (industry, terms) in INDUSTRIES.iter() {
            let mut s = 0;
            for (r, w) in terms {
                s += (r.find_iter(text).count().min(3) as u32) * w;
            }
            *scores.entry(industry).or_default() += s * weight;
        }
    }
    // ARR/MRR only in capitals: recurring-revenue talk is a SaaS business's own vocabulary.
    pattern!(RECURRING, r"\b(ARR|MRR)\b");
    let recurring = texts.iter().any(|(t, _)| RECURRING.is_match(t));
    let (best, score) = scores
        .iter()
        .filter(|(_, s)| **s > 0)
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(k, v)| (*k, *v))?;
    if score < 3 {
        return None;
    }
    // SaaS is software sold as a subscription: explicit SaaS evidence refines "software".
    let saas = scores.get("saas").copied().unwrap_or(0);
    if best == "software" && (saas >= 4 || recurring) {
        return Some("saas".into());
    }
    Some(best.to_string())
}
