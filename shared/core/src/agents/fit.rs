//! The fit agent: the ICP rule, with a reason per criterion.
//!
//! The rule is exact (data README §2.3): each criterion adds its full weight when matched,
//! an excluded industry scores 0 / D. When a lead column is empty and research found the
//! value on the company's website, the website's value is used and the reason says so.

use crate::config::{Icp, Seniority};
use crate::domain::{Criterion, Fit, Lead, Research};

/// The lead fields the ICP looks at.
#[derive(Debug, Clone, Default)]
pub struct FitInput<'a> {
    pub industry: &'a str,
    pub employees: &'a str,
    pub country: &'a str,
    pub title: &'a str,
    pub tech_stack: &'a str,
}

impl<'a> FitInput<'a> {
    pub fn of(lead: &'a Lead) -> FitInput<'a> {
        FitInput {
            industry: &lead.industry,
            employees: &lead.employees,
            country: &lead.country,
            title: &lead.title,
            tech_stack: &lead.tech_stack,
        }
    }
}

/// Seniority from whole-word English keywords of a title.
pub fn seniority(title: &str) -> Seniority {
    let lower = title.to_lowercase();
    let tokens: Vec<&str> = lower
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .filter(|t| !t.is_empty())
        .collect();
    let mut best = Seniority::Individual;
    for (i, t) in tokens.iter().enumerate() {
        let next = tokens.get(i + 1).copied();
        let level = match (*t, next) {
            ("chief" | "cto" | "cdo" | "ceo" | "cio", _) => Seniority::CLevel,
            ("vp", _) | ("vice", Some("president")) => Seniority::Vp,
            ("director", _) | ("head", Some("of")) => Seniority::Director,
            ("manager" | "lead", _) => Seniority::Manager,
            _ => Seniority::Individual,
        };
        best = best.max(level);
    }
    best
}

fn seniority_name(s: Seniority) -> &'static str {
    match s {
        Seniority::Individual => "individual",
        Seniority::Manager => "manager",
        Seniority::Director => "director",
        Seniority::Vp => "vp",
        Seniority::CLevel => "c-level",
    }
}

/// Score `input` against `icp`.
pub fn score(input: &FitInput<'_>, icp: &Icp) -> Fit {
    score_with(input, None, icp)
}

/// Score a lead, filling empty columns from research.
pub fn score_lead(lead: &Lead, icp: &Icp) -> Fit {
    score_with(&FitInput::of(lead), lead.research.as_ref(), icp)
}

fn score_with(input: &FitInput<'_>, research: Option<&Research>, icp: &Icp) -> Fit {
    let w = &icp.weights;
    let mut criteria = Vec::with_capacity(5);
    let mut from_site_industry = None;
    let industry = {
        let own = input.industry.trim().to_lowercase();
        if own.is_empty() {
            from_site_industry = research.and_then(|r| r.industry.clone());
            from_site_industry.clone().unwrap_or_default()
        } else {
            own
        }
    };
    let site_note = |used: bool| {
        if used {
            " (from the company's website)"
        } else {
            ""
        }
    };

    if !industry.is_empty()
        && icp
            .exclude_industries
            .iter()
            .any(|x| x.to_lowercase() == industry)
    {
        criteria.push(Criterion {
            name: "industry".into(),
            matched: false,
            points: 0,
            weight: w.industry,
            reason: format!(
                "industry {industry:?}{} is excluded by the ICP: score 0",
                site_note(from_site_industry.is_some())
            ),
        });
        return Fit {
            score: 0,
            tier: crate::domain::Tier::D,
            excluded: true,
            criteria,
        };
    }

    // industry
    let matched =
        !industry.is_empty() && icp.industries.iter().any(|x| x.to_lowercase() == industry);
    criteria.push(Criterion {
        name: "industry".into(),
        matched,
        points: if matched { w.industry } else { 0 },
        weight: w.industry,
        reason: if industry.is_empty() {
            "industry unknown".into()
        } else if matched {
            format!(
                "industry {industry:?}{} is in the ICP",
                site_note(from_site_industry.is_some())
            )
        } else {
            format!(
                "industry {industry:?}{} is not in the ICP",
                site_note(from_site_industry.is_some())
            )
        },
    });

    // size
    let own_emp = input.employees.trim();
    let (employees, emp_from_site) = match own_emp.parse::<u64>() {
        Ok(n) => (Some(n), false),
        Err(_) if own_emp.is_empty() => match research.and_then(|r| r.employees) {
            Some(n) => (Some(u64::from(n)), true),
            None => (None, false),
        },
        Err(_) => (None, false),
    };
    let [lo, hi] = icp.employee_range;
    let matched = employees.is_some_and(|n| lo <= n && n <= hi);
    criteria.push(Criterion {
        name: "size".into(),
        matched,
        points: if matched { w.size } else { 0 },
        weight: w.size,
        reason: match employees {
            None if own_emp.is_empty() => "employee count unknown".into(),
            None => format!("employee count {own_emp:?} is not a whole number"),
            Some(n) if matched => format!(
                "{n} employees{} is within {lo}–{hi}",
                site_note(emp_from_site)
            ),
            Some(n) => format!(
                "{n} employees{} is outside {lo}–{hi}",
                site_note(emp_from_site)
            ),
        },
    });

    // geo
    let country = input.country.trim().to_uppercase();
    let matched = !country.is_empty() && icp.countries.iter().any(|c| c.to_uppercase() == country);
    criteria.push(Criterion {
        name: "geo".into(),
        matched,
        points: if matched { w.geo } else { 0 },
        weight: w.geo,
        reason: if country.is_empty() {
            "country unknown".into()
        } else if matched {
            format!("country {country} is in the ICP")
        } else {
            format!("country {country} is not in the ICP")
        },
    });

    // title
    let title = input.title.trim();
    let lower = title.to_lowercase();
    let keyword = icp
        .titles_include
        .iter()
        .find(|k| !k.is_empty() && lower.contains(&k.to_lowercase()));
    let level = seniority(title);
    let matched = keyword.is_some() && level >= icp.seniority_min;
    criteria.push(Criterion {
        name: "title".into(),
        matched,
        points: if matched { w.title } else { 0 },
        weight: w.title,
        reason: if title.is_empty() {
            "title unknown".into()
        } else {
            match keyword {
                None => format!("title {title:?} names none of the ICP's functions"),
                Some(k) if matched => format!(
                    "title {title:?} has {k:?} at {} level",
                    seniority_name(level)
                ),
                Some(k) => format!(
                    "title {title:?} has {k:?} but its level is {} (below {})",
                    seniority_name(level),
                    seniority_name(icp.seniority_min)
                ),
            }
        },
    });

    // tech
    let mut items: Vec<String> = input
        .tech_stack
        .split(';')
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    let mut tech_from_site = false;
    if items.is_empty()
        && let Some(r) = research
        && !r.tech.is_empty()
    {
        items = r.tech.iter().map(|t| t.trim().to_lowercase()).collect();
        tech_from_site = true;
    }
    let hit = items
        .iter()
        .find(|t| icp.tech_stack_any.iter().any(|x| x.to_lowercase() == **t));
    let matched = hit.is_some();
    criteria.push(Criterion {
        name: "tech".into(),
        matched,
        points: if matched { w.tech } else { 0 },
        weight: w.tech,
        reason: match hit {
            Some(t) => format!("uses {t}{}", site_note(tech_from_site)),
            None if items.is_empty() => "tech stack unknown".into(),
            None => format!("none of {} is in the ICP's stack", items.join(", ")),
        },
    });

    let score: u32 = criteria.iter().map(|c| c.points).sum();
    Fit {
        score,
        tier: icp.tier(score),
        excluded: false,
        criteria,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn icp() -> Icp {
        serde_json::from_str(
            r#"{"industries":["software","retail","e-commerce"],"employee_range":[200,5000],
            "countries":["US","GB"],"titles_include":["data","analytics","technology"],
            "seniority_min":"manager","tech_stack_any":["snowflake","dbt"],
            "exclude_industries":["gambling"],
            "weights":{"industry":25,"size":20,"geo":15,"title":25,"tech":15},
            "tiers":{"A":80,"B":60,"C":40}}"#,
        )
        .unwrap()
    }

    fn input<'a>(
        ind: &'a str,
        emp: &'a str,
        c: &'a str,
        t: &'a str,
        tech: &'a str,
    ) -> FitInput<'a> {
        FitInput {
            industry: ind,
            employees: emp,
            country: c,
            title: t,
            tech_stack: tech,
        }
    }

    #[test]
    fn the_worked_example_of_the_readme_scores_60_b() {
        let f = score(
            &input(
                "Retail",
                "1900",
                "US",
                "Director of Business Intelligence",
                "Redshift;Tableau",
            ),
            &icp(),
        );
        assert_eq!((f.score, f.tier), (60, crate::domain::Tier::B));
    }

    #[test]
    fn an_excluded_industry_scores_zero_whatever_else_matches() {
        let f = score(
            &input(" Gambling ", "1000", "US", "Head of Data", "dbt"),
            &icp(),
        );
        assert_eq!(
            (f.score, f.tier, f.excluded),
            (0, crate::domain::Tier::D, true)
        );
    }

    #[test]
    fn size_bounds_are_inclusive() {
        for (emp, pts) in [
            ("200", 20),
            ("5000", 20),
            ("199", 0),
            ("5001", 0),
            ("", 0),
            ("1k", 0),
        ] {
            let f = score(&input("", emp, "", "", ""), &icp());
            assert_eq!(f.score, pts, "{emp}");
        }
    }

    #[test]
    fn seniority_uses_whole_words_only() {
        assert_eq!(seniority("Contractor"), Seniority::Individual);
        assert_eq!(seniority("Inspector"), Seniority::Individual);
        assert_eq!(seniority("Leadership Coach"), Seniority::Individual);
        assert_eq!(seniority("SVP Data"), Seniority::Individual);
        assert_eq!(seniority("Vice President, Data"), Seniority::Vp);
        assert_eq!(seniority("Head of Analytics"), Seniority::Director);
        assert_eq!(seniority("Data Team Lead"), Seniority::Manager);
        assert_eq!(seniority("Teamleiterin Daten"), Seniority::Individual);
        assert_eq!(seniority("CTO"), Seniority::CLevel);
    }

    #[test]
    fn title_needs_a_keyword_and_the_level() {
        assert_eq!(score(&input("", "", "", "CIO", ""), &icp()).score, 0);
        assert_eq!(
            score(&input("", "", "", "Data Engineer", ""), &icp()).score,
            0
        );
        assert_eq!(
            score(&input("", "", "", "Chief Technology Officer", ""), &icp()).score,
            25
        );
    }

    #[test]
    fn tech_items_are_trimmed_and_compared_whole() {
        assert_eq!(
            score(&input("", "", "", "", " ;  DBT ; x"), &icp()).score,
            15
        );
        assert_eq!(
            score(&input("", "", "", "", "dbt-core;snowflakes"), &icp()).score,
            0
        );
    }

    #[test]
    fn research_fills_only_empty_columns_and_says_so() {
        let mut lead = Lead::new(
            crate::domain::LeadId::parse("L1").unwrap(),
            chrono::Utc::now(),
        );
        lead.research = Some(Research {
            industry: Some("software".into()),
            employees: Some(900),
            ..Default::default()
        });
        let f = score_lead(&lead, &icp());
        assert_eq!(f.score, 45);
        assert!(f.criteria[0].reason.contains("website"));
        lead.employees = "50".into();
        assert_eq!(score_lead(&lead, &icp()).score, 25);
    }
}
