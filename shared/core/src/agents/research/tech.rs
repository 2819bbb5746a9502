//! Data tools a site names.

use super::*;

/// Known data tools, as the lead CSV spells them. Names that are also ordinary words
/// ("snowflake", "airflow", "kafka") match only capitalised.
pub(super) static TECH: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("Snowflake", r"\bSnowflake\b"),
        ("BigQuery", r"(?i)\bbig ?query\b"),
        ("Databricks", r"(?i)\bdatabricks\b"),
        ("dbt", r"\bdbt\b|(?i:\bdbt (?:labs|cloud|core)\b)"),
        ("Airflow", r"\bAirflow\b|(?i:\bapache airflow\b)"),
        ("Redshift", r"\bRedshift\b"),
        ("Looker Studio", r"(?i)\blooker studio\b"),
        ("Looker", r"\bLooker\b(?: Studio)?"),
        ("Tableau", r"\bTableau\b"),
        ("Power BI", r"(?i)\bpower ?bi\b"),
        ("Fivetran", r"(?i)\bfivetran\b"),
        ("Airbyte", r"(?i)\bairbyte\b"),
        ("Kafka", r"\bKafka\b"),
        ("Spark", r"(?i)\b(?:apache spark|pyspark|spark sql)\b"),
        ("Flink", r"(?i)\bapache flink\b|\bFlink\b"),
        ("PostgreSQL", r"(?i)\bpostgre(?:s|sql)\b"),
        ("MySQL", r"(?i)\bmysql\b"),
        ("SQL Server", r"(?i)\b(?:microsoft )?sql server\b|\bMSSQL\b"),
        ("Oracle", r"\bOracle(?: Database| DB| Cloud)?\b"),
        ("Teradata", r"(?i)\bteradata\b"),
        (
            "Azure Synapse",
            r"(?i)\b(?:azure )?synapse analytics\b|\bAzure Synapse\b",
        ),
        ("Azure Data Factory", r"(?i)\bazure data factory\b"),
        ("Informatica", r"(?i)\binformatica\b"),
        ("Metabase", r"(?i)\bmetabase\b"),
        ("Hightouch", r"(?i)\bhightouch\b"),
        ("Dagster", r"(?i)\bdagster\b"),
        ("Prefect", r"\bPrefect\b"),
        ("Matillion", r"(?i)\bmatillion\b"),
        ("Talend", r"(?i)\btalend\b"),
        ("Qlik", r"(?i)\bqlik(?: ?sense| ?view)?\b"),
        ("SAP HANA", r"(?i)\bsap hana\b"),
        ("SAP BW", r"(?i)\bsap bw\b"),
        ("SSIS", r"\bSSIS\b"),
        ("ClickHouse", r"(?i)\bclickhouse\b"),
        ("Trino", r"\bTrino\b"),
        ("Presto", r"\bPresto(?:DB)?\b"),
        ("Elasticsearch", r"(?i)\belasticsearch\b"),
        ("MongoDB", r"(?i)\bmongodb\b"),
        ("Delta Lake", r"(?i)\bdelta lake\b"),
        ("Iceberg", r"(?i)\bapache iceberg\b"),
        ("Great Expectations", r"(?i)\bgreat expectations\b"),
        ("Segment", r"(?i)\btwilio segment\b"),
        ("Kubernetes", r"(?i)\bkubernetes\b"),
        ("Terraform", r"(?i)\bterraform\b"),
        ("AWS", r"\bAWS\b|(?i:\bamazon web services\b)"),
        ("Azure", r"\b(?:Microsoft )?Azure\b"),
        (
            "Google Cloud",
            r"(?i)\bgoogle cloud(?: platform)?\b|\bGCP\b",
        ),
    ]
    .iter()
    .map(|(name, p)| (*name, re(p)))
    .collect()
});

pub(super) fn tech_in(text: &str) -> Vec<&'static str> {
    let mut hits: Vec<(usize, &'static str)> = Vec::new();
    for (name, r) in TECH.iter() {
        if let Some(m) = r.find(text) {
            // "Looker Studio" must not also count as "Looker".
            if *name == "Looker" && m.as_str().ends_with("Studio") {
                continue;
            }
            hits.push((m.start(), name));
        }
    }
    hits.sort();
    hits.into_iter().map(|(_, n)| n).collect()
}
