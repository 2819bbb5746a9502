//! Question topics (data README §3.4).

use super::*;

pattern!(
    pub(super) MEETING_SETUP,
    r"\bset(ting)? up (a|an|some|the) (call|meeting|demo|time|chat|session|intro)\b|\bset (a|some) time\b"
);
pattern!(
    pub(super) TOPIC_PRICING,
    r"(?x)
        (
            \bpric\w*
          | \bcosts?\b
          | \bhow\ much\ (is|are|does|do|would|will|for|per|money|to)\b
          | \bquote\b
          | \bquotation\b
          | \bproposal\b
          | \bdiscount\w*
          | \brabatt\w*
          | \bremise\b
          | \bdescuento\w*
          | \bkorting\w*
          | \bbilling\b
          | \bbilled\b
          | \binvoic\w*
          | \bcurrenc\w*
          | \b(eur|euros?|gbp|usd|chf|dollars?)\b
          | \bper\ (table|seat|user|month|year|connection)\b
          | \bcounts?\ as\ (a\ )?tables?\b
          | \bcount\ as\ tables?\b
          | \bviews\ count\b
          | \bprepay\w*
          | \bup\ ?front\b
          | \bannual\ (plan|billing|contract|commitment)\b
          | \b(which|what)\ plan\b
          | \bpreis\w*
          | \bkost(en|et)\w*
          | \bkost\b
          | \bcuest(a|an)\b
          | \bcuánto\ (cuesta|vale|cobran|sale)\b
          | \bcost[eo]s?\b
          | \bcoût\w*
          | \bcombien\ (coûte|coute|ça\ coûte|facturez|pour)\b
          | \bangebot\b
          | \bprix\b
          | \btarif\w*
          | \bdevis\b
          | \bprecio\w*
          | \bpresupuesto\b
          | \bcotización\b
          | \bprijs\w*
          | \bofferte\b
          | \bnon-?profit\b
          | \beducation(al)?\ (discount|pricing)\b
        )
    "
);
pattern!(
    pub(super) TOPIC_TRIAL,
    r"(?x)
        (
            \btrial\b
          | \bpoc\b
          | \bproof[-\ ]of[-\ ]concept\b
          | \bpilot\b
          | \btest\ drive\b
          | \b14[-\ ]days?\b
          | \bfree\ tier\b
          | \bsandbox\b
          | \btrial\ data\b
          | \btestphase\b
          | \btestversion\b
          | \btesten\b
          | \bessai\b
          | \bprueba\b
          | \bproefperiode\b
          | \bproefversie\b
        )
    "
);
pattern!(
    pub(super) TOOL,
    r"(?x)
        \b
        (
            snowflake
          | bigquery
          | big\ query
          | databricks
          | redshift
          | postgres\w*
          | oracle
          | sql\ server
          | mssql
          | mysql
          | synapse
          | microsoft\ fabric
          | teradata
          | clickhouse
          | mongodb
          | dbt
          | airflow
          | dagster
          | prefect
          | fivetran
          | airbyte
          | kafka
          | kinesis
          | pub/?sub
          | spark
          | looker
          | tableau
          | power\ ?bi
          | metabase
          | superset
          | slack
          | pagerduty
          | opsgenie
          | microsoft\ teams
          | ms\ teams
          | jira
          | datadog
          | s3
          | gcs
          | delta\ lake
          | iceberg
          | hive
        )\b
    "
);
pattern!(
    pub(super) INTEGRATION_WORD,
    r"(?x)
        (
            \bintegrat\w*
          | \bconnectors?\b
          | \bfonctionne\ avec\b
          | \bfunciona\ con\b
          | \bwerkt\ (met|samen\ met)\b
          | \bfunktioniert\ (mit|auch\ mit)\b
          | \bcompatible\ con\b
          | \bcompatibel\ met\b
          | \bconnect\ (to|with)\b
          | \bconnects?\ to\b
          | \bsupport(s|ed)?\b
          | \bwork(s)?\ with\b
          | \bcompatib\w*
          | \bplug(s)?\ into\b
          | \b(anything|something|support)\ for\b
          | \bhook\ into\b
          | \bkoppeling\w*
          | \banbindung\w*
          | \bunterstütz\w*
          | \bsupport\w*
          | \bsoport\w*
          | \bcompatib\w*
          | \bintégration\w*
          | \bcompatible\b
          | \bintegración\w*
          | \bconector\w*
          | \bondersteun\w*
        )
    "
);
pattern!(
    pub(super) TOPIC_SECURITY,
    r"(?x)
        (
            \bsoc\ ?2\b
          | \bcompliant\b
          | \bcompliance\b
          | \bccpa\b
          | \bpci\b
          | \bsoc\ ?1\b
          | \biso\ ?27001\b
          | \biso\b
          | \bgdpr\b
          | \bdsgvo\b
          | \brgpd\b
          | \bavg\b
          | \bdpa\b
          | \bdata\ processing\ (agreement|addendum)\b
          | \bhipaa\b
          | \bbaa\b
          | \bsub-?processors?\b
          | \bencrypt\w*
          | \bpen(etration)?[-\ ]?test\w*
          | \bsecurity\ (review|questionnaire|report|posture|whitepaper|documentation|certification)s?\b
          | \bcertif\w*
          | \brow-level\ data\b
          | \b(do|will|would)\ you\ store\b
          | \bstore\ (any|our|customer|the\ actual)\b
          | \bwhat\ data\b.{0,30}\b(store|keep|access|see|read)\b
          | \bdata\ retention\b
          | \bretention\b
          | \baudit\ logs?\b
          | \bverschlüssel\w*
          | \bchiffrement\b
          | \bcifrado\b
          | \bversleutel\w*
        )
    "
);
pattern!(
    pub(super) TOPIC_RESIDENCY,
    r"(?x)
        (
            \bhosted\b
          | \bhosting\b
          | \bhost(ed)?\ (in|our|the)\b
          | \bregions?\b
          | \bdata\ residency\b
          | \bresidency\b
          | \b(data|metadata)\ (stays?|remain|resides?|is\ located|be\ located|location)\b
          | \bstay\ (in|within)\ (the\ )?(eu|europe|us|uk|switzerland|germany|country)\b
          | \b(in|within)\ the\ (eu|eea)\b
          | \beu\ (hosting|region|data\ ?cent(er|re)|instance|cloud)\b
          | \bswiss\b
          | \bswitzerland\b
          | \bfrankfurt\b
          | \bireland\b
          | \b(where|wo|où|dónde|donde|waar)\b.{0,40}\b(hosted|stored|located|kept|processed|servers?|serveurs|servidores|gehostet|gespeichert|hébergées?|alojados|gehost|opgeslagen)\b
          | \brechenzentrum\b
          | \bserverstandort\b
          | \bgehostet\b
          | \bgehost\b
          | \bhébergé\w*
          | \bhébergement\b
          | \baloj\w*
          | \bservidores\ en\b
        )
    "
);
pattern!(
    pub(super) TOPIC_SSO,
    r"(\bsso\b|\bsingle sign-?on\b|\bsaml\b|\bscim\b|\bokta\b|\bentra\b|\bazure ad\b|\bactive directory\b|\blog ?in\b|\b2fa\b|\bmfa\b|\buser provisioning\b)"
);
pattern!(
    pub(super) TOPIC_ONBOARDING,
    r"(?x)
        (
            \bset\ ?up\b
          | \bsetup\b
          | \bonboard\w*
          | \bimplementation\b
          | \bimplement\b
          | \btime\ to\ value\b
          | \bup\ and\ running\b
          | \bget(ting)?\ started\b
          | \bhow\ long\ (does|would|will)\ (it|the)\ (take\ to\ )?(set|install|deploy|onboard|implement|get)\b
          | \beinrichtung\b
          | \beinrichten\b
          | \binbetriebnahme\b
          | \bmise\ en\ place\b
          | \binstallation\b
          | \bpuesta\ en\ marcha\b
          | \bimplementación\b
          | \bconfiguración\b
          | \bimplementatie\b
          | \binstallatie\b
        )
    "
);
pattern!(
    pub(super) TOPIC_SUPPORT,
    r"(?x)
        (
            \bsupport\ (hours|team|sla|response|level|plan|coverage|contract)\b
          | \bresponse\ times?\b
          | \bsla\b
          | \bslas\b
          | \buptime\b
          | \b24/7\b
          | \b24x7\b
          | \bon-?call\b
          | \breaktionszeit\w*
          | \bihr\ support\b
          | \bsupport\b.{0,30}\b(night|weekend|nachts|wochenende|outside)\b
          | \btemps\ de\ réponse\b
          | \btiempos?\ de\ respuesta\b
          | \breactietijd\w*
        )
    "
);
pattern!(
    pub(super) TOPIC_FEATURES,
    r"(?x)
        (
            \bwhat\ (do\ you|does\ it|does\ [a-z][a-z0-9-]*|exactly\ do\ you|will\ you)\ (monitor|detect|check|track|cover|alert\ on)\b
          | \blineage\b
          | \banomal\w+\ detection\b
          | \bcolumn-level\b
          | \bdo\ you\ (monitor|detect|track|check)\b
          | \bdoes\ (it|[a-z][a-z0-9-]*)\ (monitor|detect|track|check|alert)\b
          | \bcustom\ (checks|rules|monitors|metrics)\b
          | \bdata\ quality\ (checks|rules|tests)\b
          | \broot\ cause\b
          | \bfeatures?\b
          | \bfunktion\w*
          | \bfonctionnalit\w*
          | \bfuncionalidad\w*
          | \bfunctionaliteit\w*
        )
    "
);
pattern!(
    pub(super) TOPIC_DEPLOYMENT,
    r"(?x)
        (
            \bself-?host\w*
          | \bon-?prem\w*
          | \bon\ premises\b
          | \bvpc\b
          | \bprivate\ ?(link|cloud|network|deployment)\b
          | \bsingle-?tenant\b
          | \bdedicated\ (instance|tenant|environment)\b
          | \bour\ own\ (cloud|aws|azure|gcp|network|infrastructure|account)\b
          | \bfirewall\b
          | \bip\ allow-?list\w*
          | \ballow-?list\w*
          | \bwhitelist\w*
          | \b(warehouse|snowflake|databricks|bigquery|redshift|compute|query|cloud)\ (bill|cost|costs|credits|spend|load|usage)\b
          | \b(increase|raise|add\ to)\ (our|the)\ .{0,20}(bill|costs?|spend|credits)\b
          | \bqueries\ (do\ you|does\ it|will\ you|would\ you)\ run\b
          | \bwhat\ (kind\ of\ )?queries\b
          | \bhow\ often\b.{0,20}\b(query|queries|run|scan)\b
          | \bdeploy\w*
          | \bselbst\ hosten\b
          | \bauto-?héberg\w*
          | \bautoalojad\w*
        )
    "
);
pattern!(
    pub(super) TOPIC_COMPETITORS,
    // The README's §3.4 names the two competitors of the battlecards; the rest are words
    // anyone uses to compare.
    r"(?x)
        (
            \bdatasentinel\b
          | \bdata\ sentinel\b
          | \bpipewatch\b
          | \bpipe\ watch\b
          | \bmonte\ carlo\b
          | \bbigeye\b
          | \bmetaplane\b
          | \bacceldata\b
          | \bcompetitor\w*
          | \bcompare\b
          | \bcomparison\b
          | \bcompared\b
          | \bvs\.?\s
          | \bversus\b
          | \bdifferent\ (from|than)\b
          | \b(how|what)\ (are|is|makes)\ (you|it|[a-z][a-z0-9-]*)\ (different|differ)\b
          | \bdiffer(s|ence)?\b
          | \bside\ by\ side\b
          | \balternative\ to\b
          | \bunterschied\w*
          | \bunterscheid\w*
          | \bdifférenc\w*
          | \bdiferencia\w*
          | \bverschil\w*
        )
    "
);

/// The §3.4 topics of one sentence.
pub(super) fn topics_of(lower: &str) -> Vec<&'static str> {
    let s = MEETING_SETUP.replace_all(lower, " ");
    let s = s.as_ref();
    let mut topics = Vec::new();
    let mut add = |cond: bool, t: &'static str| {
        if cond && !topics.contains(&t) {
            topics.push(t);
        }
    };
    add(TOPIC_PRICING.is_match(s), "pricing");
    // Topic words of the other languages' data files.
    for (name, re) in vocab::TOPICS.iter() {
        add(re.is_match(s), name.as_str());
    }
    add(TOPIC_TRIAL.is_match(s), "trial");
    let deployment = TOPIC_DEPLOYMENT.is_match(s);
    let support_noun = TOPIC_SUPPORT.is_match(s);
    // A warehouse named in a question about its bill or about setup time is not an
    // integration question; "do you support Oracle" / "work with Airflow" is.
    add(
        TOOL.is_match(s) && INTEGRATION_WORD.is_match(s) && !support_noun,
        "integrations",
    );
    add(
        s.contains("integration") || s.contains("connector") || s.contains("koppeling"),
        "integrations",
    );
    add(TOPIC_SECURITY.is_match(s), "security");
    add(TOPIC_RESIDENCY.is_match(s), "data_residency");
    add(TOPIC_SSO.is_match(s), "sso");
    add(TOPIC_ONBOARDING.is_match(s), "onboarding");
    add(support_noun, "support");
    add(TOPIC_FEATURES.is_match(s), "features");
    add(deployment, "deployment");
    add(TOPIC_COMPETITORS.is_match(s), "competitors");
    topics
}

/// Topics of what the sender asks (questions and requests), in §3.4 vocabulary order.
pub(super) fn question_topics(a: &Analysis) -> Vec<String> {
    const ORDER: &[&str] = &[
        "pricing",
        "trial",
        "integrations",
        "security",
        "data_residency",
        "sso",
        "onboarding",
        "support",
        "features",
        "deployment",
        "competitors",
    ];
    let mut found: Vec<&'static str> = Vec::new();
    for s in a.clean().filter(|s| s.question || s.request) {
        for t in topics_of(&s.lower) {
            if !found.contains(&t) {
                found.push(t);
            }
        }
    }
    ORDER
        .iter()
        .filter(|t| found.contains(t))
        .map(|t| t.to_string())
        .collect()
}
