//! Deferrals: "not before Q2", "after the migration", a month two or more months ahead.

use super::*;

pattern!(
    pub(super) DEFER_PHRASE,
    r"(?x)
        (
            \bnext\ (year|quarter|fiscal(\ year)?|fy|summer|spring|autumn|fall|winter|budget\ cycle)\b
          | \b(in\ the|this|im|in|au|en|el|la|in\ het)\ (spring|summer|autumn|fall|winter|frühjahr|frühling|sommer|herbst|printemps|été|automne|hiver|primavera|verano|otoño|invierno|voorjaar|zomer|najaar)\b
          | \bnew\ year\b
          | \b(early|mid|late)\ 20\d\d\b
          | \bin\ (a\ few|few|some|six|three|two|four|five|nine|twelve|\d+)\ months\b
          | \b(six|three|\d+)\ months\ from\ now\b
          | \blater\b
          | \bafter\ (that|this|the\ (new\ year|holidays|summer|migration|re-?org|reorg\w*|reorgani[sz]ation|freeze|renewal|budget|board|approval|launch|project|quarter)|our\ (migration|re-?org|reorg\w*|budget|renewal|freeze|launch|project|board|fiscal))\b
          | \bonce\ (that|this|things|we|the)\b
          | \buntil\ (that'?s|after|next|the)\b
          | \bnächste(s|n)?\ jahr\b
          | \bim\ neuen\ jahr\b
          | \bspäter\b
          | \bin\ (einigen|ein\ paar|sechs|drei)\ monaten\b
          | \bl'année\ prochaine\b
          | \bplus\ tard\b
          | \bdans\ (quelques|six|trois|\d+)\ mois\b
          | \bà\ la\ rentrée\b
          | \bel\ (año|mes)\ que\ viene\b
          | \bel\ próximo\ año\b
          | \bmás\ adelante\b
          | \bdentro\ de\ (unos|seis|tres|\d+)\ meses\b
          | \bvolgend\ jaar\b
          | \bover\ (een\ paar|enkele|zes|drie|\d+)\ maanden\b
          | \bq[1-4]\b
          | \bfy\ ?\d\d\b
        )
    "
);
pattern!(
    pub(super) DEADLINE,
    r"\b(before|by|ahead of|prior to|no later than|in time for)\b[^,.;]{0,40}"
);
pattern!(
    pub(super) PAST_MARKER,
    r"\b(last|ago|signed|had|was|were|did|earlier|already|renewed|bought|started|began|letzte\w*|dernier|dernière|pasado|vorig\w*)\b"
);

/// The sentence puts things off to a later time: a month two or more months after the
/// message date, a later quarter or year, or "after the migration".
pub(super) fn defers(lower: &str, reference: DateTime<Utc>) -> bool {
    // "before our Q1 planning", "by the end of January": a deadline, not a postponement.
    let without_deadlines = DEADLINE.replace_all(lower, " ");
    let lower = without_deadlines.as_ref();
    if DEFER_PHRASE.is_match(lower) {
        // "Q1" in a November mail is later; "this quarter" is not.
        if let Some(q) = quarter_named(lower) {
            let current = (reference.month() - 1) / 3 + 1;
            if q == current && !lower.contains("next") {
                return false;
            }
        }
        return true;
    }
    if PAST_MARKER.is_match(lower) {
        return false;
    }
    pattern!(YEAR, r"\b(20\d\d)\b");
    let later_year = YEAR
        .captures_iter(lower)
        .filter_map(|c| c.get(1)?.as_str().parse::<i32>().ok())
        .any(|y| y > reference.year());
    if later_year {
        return true;
    }
    // A month two or more months ahead ("may" alone is mostly a verb: `month_words` takes
    // it only after "in", "by", "until" …).
    month_words(lower).iter().any(|(_, month)| {
        let ahead = (month + 12 - reference.month()) % 12;
        ahead >= 2
    })
}

pub(super) fn quarter_named(lower: &str) -> Option<u32> {
    pattern!(Q, r"\bq([1-4])\b");
    Q.captures(lower)
        .and_then(|c| c.get(1))
        .and_then(|m| m.as_str().parse().ok())
}
