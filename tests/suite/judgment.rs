//! Tests: the reply classifier's judgment on every labelled set, per part and per language.
//!
//! Parts: the public replies (`../shared/data/replies`), the evaluation set's `tuned` part
//! (vocabulary may be tuned on it), its `more`, `more2` and `more3` parts (tuned too: further
//! cases written from the rules; `more2` and `more3` hold deferrals, declines, wrong-person
//! replies, indirect interest and questions, `more2` also Portuguese opt-outs; `more4` …
//! `more18` further parts (`more14` answers the third seller, Vantorq; `more15` … `more18` all three sellers), each measured once before any tuning on it, the figures kept in
//! the set's README), its `holdout` part (never read while tuning: only its
//! figures are printed, never a message), the second public seller's replies
//! (`sellers/corvid-payroll/replies`) and the third seller's
//! (`tests/fixtures/sellers/vantorq-maintenance/replies`, a stand-in for an unseen seller:
//! figures only).
//!
//! A harmful error is one that acts wrongly on the lead or the sender's reputation:
//! * an opt-out or complaint that is not suppressed;
//! * an automatic message (bounce, out-of-office, auto-reply) that gets an answer, a
//!   handover or a redirect;
//! * a decline, a deferral or any non-reply handed over as interested;
//! * an injection (labelled) that the classifier does not flag.
//!
//! When the classifier is unsure it says `unclear` (a person decides): a miss, never harmful.

use serde_json::Value;
use sqa_core::agents::classify::{Topics, classify_raw, classify_raw_with};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const INTENTS: [&str; 11] = [
    "bounce",
    "out_of_office",
    "auto_reply",
    "complaint",
    "unsubscribe",
    "wrong_person",
    "interested",
    "question",
    "not_now",
    "not_interested",
    "unclear",
];

/// Why a classification is harmful, or `None`.
fn harm(want: &str, got: &str, want_injection: bool, got_injection: bool) -> Option<&'static str> {
    let suppress = ["unsubscribe", "complaint"];
    let machine = ["bounce", "out_of_office", "auto_reply"];
    if suppress.contains(&want) && !suppress.contains(&got) {
        return Some("opt-out/complaint not suppressed");
    }
    if machine.contains(&want) && ["interested", "question", "wrong_person"].contains(&got) {
        return Some("automatic message answered");
    }
    if want != "interested" && got == "interested" {
        return Some("not a request handed over");
    }
    if want_injection && !got_injection {
        return Some("injection not flagged");
    }
    None
}

#[derive(Default, Clone, Copy)]
struct Tally {
    hits: usize,
    total: usize,
}

impl Tally {
    fn add(&mut self, ok: bool) {
        self.total += 1;
        self.hits += usize::from(ok);
    }
    fn pct(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            100.0 * self.hits as f64 / self.total as f64
        }
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:>3}/{:<3} {:5.1}%", self.hits, self.total, self.pct())
    }
}

#[derive(Default)]
struct Figures {
    intent: Tally,
    /// Question topics, exact set.
    topics: Tally,
    /// Intent read without a workspace (generic topics only).
    intent_generic: Tally,
    harmful: usize,
    harm_kinds: BTreeMap<&'static str, usize>,
    per_intent: BTreeMap<&'static str, Tally>,
    per_lang: BTreeMap<String, (Tally, usize)>,
    /// Wrong intents as "expected → given" counts (printed for every part, no file named).
    confusion: BTreeMap<String, usize>,
    misses: Vec<String>,
    /// Presence of each BANT fact (budget, authority, need, timeline) as labelled.
    bant: [Tally; 4],
    /// The return date of an absence, as labelled.
    ooo_until: Tally,
    /// How many replies got each BANT level (high, medium, low) per dimension.
    levels: [[usize; 3]; 4],
    /// A digest of every classification (equal digests: the same output on every reply).
    digest: u64,
    /// Each reply's classification, for `SQA_JUDGMENT_DUMP` (parts whose messages may be shown).
    dump: Vec<String>,
}

fn labels(dir: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join("labels.jsonl"))
        .unwrap_or_else(|e| panic!("cannot read {}/labels.jsonl: {e}", dir.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad label line: {e}")))
        .collect()
}

/// The workspaces replies are read with (as the engage stage reads them: question topics,
/// and the intents that depend on them, in the seller's vocabulary).
struct Sellers {
    lumora: Topics,
    corvid: Topics,
    vantorq: Topics,
}

impl Sellers {
    fn load() -> Sellers {
        let root = sqa_tests::workspace_root();
        Sellers {
            lumora: sqa_tests::workspace_topics(&root.join("examples/lumora/sqa.toml")),
            corvid: sqa_tests::workspace_topics(&root.join("examples/corvid/sqa.toml")),
            vantorq: sqa_tests::workspace_topics(
                &root.join("tests/fixtures/sellers/vantorq-maintenance/sqa.toml"),
            ),
        }
    }

    /// The seller of a reply, by its part and lead id (`L…` Lumora, `C…` Corvid, `V…`
    /// Vantorq).
    fn of(&self, part: &str, lead: &str) -> &Topics {
        match part {
            "vantorq replies" => &self.vantorq,
            "corvid replies" => &self.corvid,
            _ if lead.starts_with('C') => &self.corvid,
            _ if lead.starts_with('V') => &self.vantorq,
            _ => &self.lumora,
        }
    }
}

fn measure(dir: &Path, part: &str, sellers: &Sellers) -> Figures {
    let mut f = Figures::default();
    for label in labels(dir) {
        let file = label["file"].as_str().unwrap_or_default().to_string();
        let raw = std::fs::read(dir.join(&file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let lead = label["lead_id"].as_str().unwrap_or_default();
        let Ok((_, c)) = classify_raw_with(&raw, sellers.of(part, lead)) else {
            panic!("{file} does not parse");
        };
        let want = label["intent"].as_str().unwrap_or_default();
        let got = c.intent.as_str();
        let lang = label["lang"].as_str().unwrap_or("?").to_string();
        let ok = want == got;
        f.intent.add(ok);
        let want_topics: std::collections::BTreeSet<&str> = label["question_topics"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let got_topics: std::collections::BTreeSet<&str> =
            c.question_topics.iter().map(String::as_str).collect();
        f.topics.add(want_topics == got_topics);
        let got_bant = [
            &c.bant.budget,
            &c.bant.authority,
            &c.bant.need,
            &c.bant.timeline,
        ];
        for (i, key) in ["budget", "authority", "need", "timeline"]
            .iter()
            .enumerate()
        {
            let labelled = label["bant"][key].is_string();
            f.bant[i].add(got_bant[i].is_some() == labelled);
        }
        f.ooo_until
            .add(c.ooo_until.as_deref() == label["ooo_until"].as_str());
        let j = &c.judgment;
        for (i, level) in [
            j.budget.level,
            j.authority.level,
            j.need.level,
            j.timeline.level,
        ]
        .iter()
        .enumerate()
        {
            use sqa_core::domain::Level;
            match level {
                Level::High => f.levels[i][0] += 1,
                Level::Medium => f.levels[i][1] += 1,
                Level::Low => f.levels[i][2] += 1,
                _ => {}
            }
        }
        let json = serde_json::to_string(&c).unwrap_or_default();
        {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            f.digest.hash(&mut h);
            json.hash(&mut h);
            f.digest = h.finish();
        }
        f.dump.push(format!("{file}\t{json}"));
        let generic = classify_raw(&raw).map(|(_, c)| c.intent.as_str() == want);
        f.intent_generic.add(generic.unwrap_or(false));
        if let Some(key) = INTENTS.iter().find(|i| **i == want) {
            f.per_intent.entry(key).or_default().add(ok);
        }
        let why = harm(
            want,
            got,
            label["injection"].as_bool().unwrap_or(false),
            c.injection,
        );
        let entry = f.per_lang.entry(lang.clone()).or_default();
        entry.0.add(ok);
        if let Some(w) = why {
            *f.harm_kinds.entry(w).or_default() += 1;
            f.harmful += 1;
            entry.1 += 1;
        }
        if !ok {
            *f.confusion.entry(format!("{want}→{got}")).or_default() += 1;
        }
        if !ok || why.is_some() {
            f.misses.push(format!(
                "{file} [{lang}] expected {want}, got {got}{}",
                why.map(|w| format!("  HARMFUL: {w}")).unwrap_or_default()
            ));
        }
    }
    f
}

fn print(name: &str, f: &Figures, show_misses: bool) {
    println!(
        "{name}: intent {}  harmful {}  question_topics {}  (intent without a workspace {})",
        f.intent, f.harmful, f.topics, f.intent_generic
    );
    let recall: Vec<String> = f
        .per_intent
        .iter()
        .map(|(k, t)| format!("{k} {}/{}", t.hits, t.total))
        .collect();
    println!("  recall   {}", recall.join("  "));
    if !f.harm_kinds.is_empty() {
        let kinds: Vec<String> = f
            .harm_kinds
            .iter()
            .map(|(k, n)| format!("{k}: {n}"))
            .collect();
        println!("  harmful  {}", kinds.join("  "));
    }
    let langs: Vec<String> = f
        .per_lang
        .iter()
        .map(|(l, (t, h))| {
            format!(
                "{l} {}/{}{}",
                t.hits,
                t.total,
                if *h > 0 {
                    format!(" ({h}!)")
                } else {
                    String::new()
                }
            )
        })
        .collect();
    println!("  per lang {}", langs.join("  "));
    if !f.confusion.is_empty() {
        let pairs: Vec<String> = f
            .confusion
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        println!("  confused {}", pairs.join("  "));
    }
    let bant: Vec<String> = ["budget", "authority", "need", "timeline"]
        .iter()
        .zip(&f.bant)
        .map(|(k, t)| format!("{k} {}/{}", t.hits, t.total))
        .collect();
    println!(
        "  bant presence {}  ooo_until {}/{}",
        bant.join("  "),
        f.ooo_until.hits,
        f.ooo_until.total
    );
    let levels: Vec<String> = ["budget", "authority", "need", "timeline"]
        .iter()
        .zip(&f.levels)
        .map(|(k, [h, m, l])| format!("{k} {h}/{m}/{l}"))
        .collect();
    println!(
        "  bant levels (high/medium/low) {}  digest {:016x}",
        levels.join("  "),
        f.digest
    );
    if show_misses {
        for m in &f.misses {
            println!("    {m}");
        }
    }
}

struct Part {
    name: &'static str,
    dir: PathBuf,
    show_misses: bool,
}

fn parts() -> Vec<Part> {
    let root = sqa_tests::workspace_root();
    let eval = root.join("tests/fixtures/replies-eval");
    let mut parts = Vec::new();
    if let Some(data) = sqa_tests::shared_data() {
        parts.push(Part {
            name: "public replies",
            dir: data.join("replies"),
            show_misses: true,
        });
        parts.push(Part {
            name: "corvid replies",
            dir: data.join("sellers/corvid-payroll/replies"),
            show_misses: true,
        });
    }
    // The tuned parts, whose misses may be shown.
    for (name, folder) in [
        ("eval tuned", "tuned"),
        ("eval more", "more"),
        ("eval more2", "more2"),
        ("eval more3", "more3"),
        ("eval more4", "more4"),
        ("eval more5", "more5"),
        ("eval more6", "more6"),
        ("eval more7", "more7"),
        ("eval more8", "more8"),
        ("eval more9", "more9"),
        ("eval more10", "more10"),
        ("eval more11", "more11"),
        ("eval more12", "more12"),
        ("eval more13", "more13"),
        ("eval more14", "more14"),
        ("eval more15", "more15"),
        ("eval more16", "more16"),
        ("eval more17", "more17"),
        ("eval more18", "more18"),
    ] {
        parts.push(Part {
            name,
            dir: eval.join(folder),
            show_misses: true,
        });
    }
    // Never print a holdout or third-seller message: they are measured, not read.
    parts.push(Part {
        name: "eval holdout",
        dir: eval.join("holdout"),
        show_misses: false,
    });
    parts.push(Part {
        name: "vantorq replies",
        dir: root.join("tests/fixtures/sellers/vantorq-maintenance/replies"),
        show_misses: false,
    });
    parts
}

#[test]
fn judgment_figures_per_part_and_language() {
    let mut floors_failed = Vec::new();
    // While tuning, `SQA_JUDGMENT_PARTS=tuned,more` measures only the parts whose name contains
    // one of the words (the holdout is then neither measured nor printed).
    let only: Option<Vec<String>> = std::env::var("SQA_JUDGMENT_PARTS")
        .ok()
        .map(|v| v.split(',').map(|w| w.trim().to_string()).collect());
    let sellers = Sellers::load();
    for part in parts() {
        if let Some(words) = &only
            && !words
                .iter()
                .any(|w| !w.is_empty() && part.name.contains(w.as_str()))
        {
            continue;
        }
        let f = measure(&part.dir, part.name, &sellers);
        print(part.name, &f, part.show_misses);
        // `SQA_JUDGMENT_DUMP=<folder>`: each reply's classification, one file per part whose
        // messages may be shown (to compare two versions of the classifier).
        if part.show_misses
            && let Ok(dir) = std::env::var("SQA_JUDGMENT_DUMP")
        {
            let path = Path::new(&dir).join(format!("{}.tsv", part.name.replace(' ', "_")));
            std::fs::write(&path, f.dump.join("\n"))
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        // Floors a little under what is reached today, so a regression fails.
        let (floor, max_harm) = match part.name {
            "public replies" => (98.5, 0),
            "corvid replies" => (97.0, 0),
            "eval tuned" => (99.0, 0),
            "eval more" => (98.0, 0),
            "eval more2" => (99.0, 0),
            "eval more3" => (99.0, 0),
            "eval more4" => (97.0, 0),
            "eval more5" => (99.0, 0),
            "eval more6" => (99.0, 0),
            "eval more7" => (99.0, 0),
            "eval more8" => (99.0, 0),
            "eval more9" => (98.0, 0),
            "eval more10" => (97.0, 0),
            "eval more11" => (98.5, 0),
            "eval more12" => (99.0, 0),
            "eval more13" => (98.5, 0),
            "eval more14" => (98.5, 0),
            "eval more15" => (97.5, 0),
            "eval more16" => (96.0, 0),
            "eval more17" => (97.0, 0),
            "eval more18" => (97.5, 0),
            // Measured, never read: floors only catch a regression of the whole.
            "eval holdout" => (95.0, 0),
            "vantorq replies" => (90.0, 0),
            _ => (0.0, usize::MAX),
        };
        if f.intent.pct() < floor || f.harmful > max_harm {
            floors_failed.push(format!("{}: {} harmful {}", part.name, f.intent, f.harmful));
        }
    }
    assert!(
        floors_failed.is_empty(),
        "below the floors: {floors_failed:?}"
    );
}

#[test]
fn harm_is_defined_by_what_the_action_does() {
    assert!(harm("unsubscribe", "unclear", false, false).is_some());
    assert!(harm("complaint", "unsubscribe", false, false).is_none());
    assert!(harm("out_of_office", "question", false, false).is_some());
    assert!(harm("not_interested", "interested", false, false).is_some());
    assert!(harm("not_interested", "unclear", false, false).is_none());
    assert!(harm("question", "question", true, false).is_some());
}

fn intent_of(raw: &str) -> String {
    let raw = raw.replace('\n', "\r\n");
    let Ok((_, c)) = classify_raw(raw.as_bytes()) else {
        panic!("does not parse");
    };
    c.intent.as_str().to_string()
}

#[test]
fn list_servers_refusing_a_post_are_bounces_and_people_quoting_one_stay_people() {
    let fml = "From: fml-admin@lists.example.jp\nTo: ava@agent.example\nSubject: Re: Data incidents\nX-ML-Name: data-ml\nX-MLServer: fml [fml 4.0.3 release]\nDate: Thu, 12 Nov 2026 08:02:16 +0000\nMessage-ID: <fml.1@lists.example.jp>\n\nYou are not a member of this mailing list <data-ml@lists.example.jp>.\nYour post has been rejected.\n\n> From: Ava <ava@agent.example>\n> Subject: Data incidents\n";
    assert_eq!(intent_of(fml), "bounce");
    let mailman = "From: team-owner@lists.example.org\nTo: ava@agent.example\nSubject: Your message to Team awaits moderator approval\nX-Mailman-Version: 2.1.39\nX-List-Administrivia: yes\nDate: Thu, 12 Nov 2026 08:02:16 +0000\nMessage-ID: <mm.1@lists.example.org>\n\nYour mail to 'Team' with the subject Data incidents is being held until the list\nmoderator can review it for approval. The reason it is being held: Post by non-member\nto a members-only list\n";
    assert_eq!(intent_of(mailman), "bounce");
    let human = "From: Jo <jo@firm.example>\nTo: ava@agent.example\nSubject: Re: Data incidents\nDate: Thu, 12 Nov 2026 08:02:16 +0000\nMessage-ID: <h.1@firm.example>\n\nHi Ava, your first mail was rejected by our list server (you are not a member), so I am\nwriting directly. Could we set up a demo next week?\n\nJo\n";
    assert_eq!(intent_of(human), "interested");
}

#[test]
fn an_ses_complaint_in_the_email_json_envelope_is_a_complaint() {
    let sns = "From: AWS Notifications <no-reply@sns.amazonaws.com>\nTo: ava@agent.example\nSubject: AWS Notification Message\nDate: Thu, 12 Nov 2026 08:02:16 +0000\nMessage-ID: <sns.1@sns.amazonaws.com>\n\n{\"Type\" : \"Notification\", \"MessageId\" : \"a1\", \"TopicArn\" : \"arn:aws:sns:eu-west-1:1:ses\", \"Message\" : \"{\\\"notificationType\\\":\\\"Complaint\\\",\\\"complaint\\\":{\\\"complainedRecipients\\\":[{\\\"emailAddress\\\":\\\"lead@firm.example\\\"}],\\\"complaintFeedbackType\\\":\\\"abuse\\\"},\\\"mail\\\":{\\\"messageId\\\":\\\"m1\\\"}}\"}\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\nhttps://sns.eu-west-1.amazonaws.com/unsubscribe.html\n";
    assert_eq!(intent_of(sns), "complaint");
}

/// A reply of `body` to the agent's first e-mail, dated 10 November 2026.
fn reply_raw(body: &str, subject: &str, auto: bool) -> String {
    format!(
        "From: Lead <lead@firm.example>\nTo: Ava <ava@agent.example>\nSubject: {subject}\nDate: Tue, 10 Nov 2026 09:00:00 +0000\nMessage-ID: <r.1@firm.example>\nIn-Reply-To: <outreach-L0001-1@agent.example>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n{}\n{body}\n",
        if auto {
            "Auto-Submitted: auto-replied\n"
        } else {
            ""
        }
    )
}

fn classified(body: &str, subject: &str, auto: bool) -> sqa_core::domain::Classification {
    let raw = reply_raw(body, subject, auto).replace('\n', "\r\n");
    let Ok((_, c)) = classify_raw(raw.as_bytes()) else {
        panic!("does not parse: {body}");
    };
    c
}

/// One language: opt-outs, a complaint, an absence with its return date, an auto-reply.
fn check_language(
    code: &str,
    opt_outs: &[&str],
    complaint: &str,
    absence: (&str, &str),
    auto_reply: &str,
) {
    for o in opt_outs {
        let c = classified(o, "Re: your message", false);
        assert_eq!(c.intent.as_str(), "unsubscribe", "[{code}] opt-out: {o}");
    }
    let c = classified(complaint, "Re: your message", false);
    assert!(
        ["complaint", "unsubscribe"].contains(&c.intent.as_str()),
        "[{code}] complaint not suppressed: {complaint}"
    );
    let c = classified(absence.0, "Re: your message", true);
    assert_eq!(
        c.intent.as_str(),
        "out_of_office",
        "[{code}] absence: {}",
        absence.0
    );
    assert_eq!(
        c.ooo_until.as_deref(),
        Some(absence.1),
        "[{code}] return date: {}",
        absence.0
    );
    let c = classified(auto_reply, "Re: your message", true);
    assert_eq!(
        c.intent.as_str(),
        "auto_reply",
        "[{code}] auto-reply: {auto_reply}"
    );
    let c = classified(opt_outs[0], "Re: your message", false);
    assert_eq!(c.lang, code, "[{code}] language of: {}", opt_outs[0]);
}

#[test]
fn english_machine_and_opt_out_wording() {
    check_language(
        "en",
        &[
            "Please take me off your mailing list, thanks.",
            "I would like to be removed from all your lists and I withdraw my consent.",
        ],
        "I never signed up for this. Where did you get my address?",
        (
            "I am out of the office with no access to email. I will be back on 24 November 2026.",
            "2026-11-24",
        ),
        "This is an automated response: we have received your message and will reply within two business days.",
    );
}

#[test]
fn german_machine_and_opt_out_wording() {
    check_language(
        "de",
        &[
            "Bitte nehmen Sie mich aus Ihrem Verteiler, ich möchte keine E-Mails mehr von Ihnen.",
            "Ich widerspreche der Verarbeitung meiner Daten und bitte um Löschung.",
        ],
        "Woher haben Sie meine Adresse? Das ist Spam, ich habe nie eingewilligt.",
        (
            "Ich bin bis einschließlich 20.11.2026 nicht im Büro und habe keinen Zugriff auf meine E-Mails.",
            "2026-11-20",
        ),
        "Dies ist eine automatische Antwort. Ihre Nachricht ist bei uns eingegangen, wir melden uns in Kürze.",
    );
}

#[test]
fn french_machine_and_opt_out_wording() {
    check_language(
        "fr",
        &[
            "Merci de me retirer de votre liste de diffusion et de ne plus m'écrire.",
            "Je m'oppose au traitement de mes données, merci de supprimer mes coordonnées.",
        ],
        "C'est du démarchage abusif, je n'ai jamais donné mon consentement. Je vais saisir la CNIL.",
        (
            "Je suis absente du bureau et serai de retour le lundi 23 novembre.",
            "2026-11-23",
        ),
        "Ceci est un message automatique : nous avons bien reçu votre demande et vous répondrons dans les plus brefs délais.",
    );
}

#[test]
fn spanish_machine_and_opt_out_wording() {
    check_language(
        "es",
        &[
            "Por favor, quítenme de su lista y no me vuelvan a escribir.",
            "Ejerzo mi derecho de supresión: eliminen todos mis datos.",
        ],
        "Esto es spam. Nunca he dado mi consentimiento para recibir sus correos.",
        (
            "Estoy fuera de la oficina hasta el 27 de noviembre con acceso limitado al correo.",
            "2026-11-27",
        ),
        "Este es un mensaje automático. Hemos recibido su correo y le responderemos lo antes posible.",
    );
}

#[test]
fn dutch_machine_and_opt_out_wording() {
    check_language(
        "nl",
        &[
            "Haal mij alstublieft van jullie mailinglijst, ik wil geen e-mails meer ontvangen.",
            "Ik maak bezwaar tegen de verwerking van mijn gegevens, verwijder mijn gegevens.",
        ],
        "Dit is ongevraagde reclame, ik heb nooit toestemming gegeven.",
        (
            "Ik ben met vakantie tot en met 25 november en niet bereikbaar.",
            "2026-11-25",
        ),
        "Dit is een automatisch gegenereerd bericht. Wij hebben uw e-mail in goede orde ontvangen.",
    );
}

#[test]
fn italian_machine_and_opt_out_wording() {
    check_language(
        "it",
        &[
            "Vi prego di cancellarmi dalla vostra lista e di non contattarmi più.",
            "Revoco il mio consenso e mi oppongo al trattamento dei miei dati.",
        ],
        "Questa è posta indesiderata, non ho mai dato il consenso. Farò una segnalazione al Garante privacy.",
        (
            "Sono fuori ufficio fino al 30 novembre 2026 con accesso limitato alla posta.",
            "2026-11-30",
        ),
        "Questo è un messaggio automatico: abbiamo ricevuto la sua email e le risponderemo al più presto.",
    );
}

#[test]
fn portuguese_machine_and_opt_out_wording() {
    check_language(
        "pt",
        &[
            "Por favor, removam-me da vossa lista e não me enviem mais e-mails.",
            "Não quero receber mais mensagens, apaguem os meus dados.",
        ],
        "Isto é spam, nunca dei autorização para me contactarem.",
        (
            "Estou de férias até 26 de novembro, sem acesso ao e-mail.",
            "2026-11-26",
        ),
        "Esta é uma mensagem automática. Recebemos o seu e-mail e responderemos em breve.",
    );
}

#[test]
fn polish_machine_and_opt_out_wording() {
    check_language(
        "pl",
        &[
            "Proszę usunąć mnie z waszej listy mailingowej i więcej nie pisać.",
            "Nie chcę otrzymywać od Państwa wiadomości, cofam zgodę.",
        ],
        "To jest spam, nigdy nie wyraziłem zgody na kontakt.",
        (
            "Jestem na urlopie do 24 listopada 2026 i mam ograniczony dostęp do poczty.",
            "2026-11-24",
        ),
        "To jest automatyczna odpowiedź. Otrzymaliśmy Państwa wiadomość i wkrótce odpowiemy.",
    );
}

#[test]
fn swedish_machine_and_opt_out_wording() {
    check_language(
        "sv",
        &[
            "Ta bort mig från er utskickslista, tack.",
            "Jag vill inte få fler mejl från er och återkallar mitt samtycke.",
        ],
        "Det här är skräppost, jag har aldrig gett mitt samtycke.",
        (
            "Jag är på semester till och med 23 november och har begränsad tillgång till e-post.",
            "2026-11-23",
        ),
        "Detta är ett automatiskt svar. Vi har tagit emot ditt meddelande och återkommer så snart vi kan.",
    );
}

#[test]
fn danish_machine_and_opt_out_wording() {
    check_language(
        "da",
        &[
            "Fjern mig venligst fra jeres mailingliste, jeg ønsker ikke at modtage flere mails.",
            "Afmeld mig, tak.",
        ],
        "Det er spam, jeg har aldrig givet mit samtykke.",
        (
            "Jeg er på ferie til og med 27. november og har ingen adgang til e-mail.",
            "2026-11-27",
        ),
        "Dette er et automatisk svar. Vi har modtaget din henvendelse og vender tilbage hurtigst muligt.",
    );
}

#[test]
fn norwegian_machine_and_opt_out_wording() {
    check_language(
        "no",
        &[
            "Vennligst fjern meg fra listen deres, jeg ønsker ikke å motta flere e-poster.",
            "Meld meg av, takk.",
        ],
        "Dette er søppelpost, jeg har aldri gitt samtykke.",
        (
            "Jeg er på ferie til og med 30. november og har begrenset tilgang til e-post.",
            "2026-11-30",
        ),
        "Dette er et automatisk svar. Vi har mottatt din henvendelse og svarer så snart vi kan.",
    );
}

#[test]
fn finnish_machine_and_opt_out_wording() {
    check_language(
        "fi",
        &[
            "Poistakaa minut postituslistaltanne, en halua enää sähköposteja.",
            "Älkää lähettäkö minulle enää viestejä.",
        ],
        "Tämä on roskapostia, en ole antanut lupaa.",
        (
            "Olen lomalla 27.11.2026 asti ja tavoitettavissa rajoitetusti.",
            "2026-11-27",
        ),
        "Tämä on automaattinen vastaus. Olemme vastaanottaneet viestisi ja vastaamme pian.",
    );
}

#[test]
fn czech_machine_and_opt_out_wording() {
    check_language(
        "cs",
        &[
            "Prosím, odstraňte mě z vašeho seznamu a už mi nepište.",
            "Nepřeji si další zprávy, odvolávám svůj souhlas.",
        ],
        "Toto je spam, nikdy jsem nedal souhlas.",
        (
            "Jsem mimo kancelář do 26. listopadu 2026 s omezeným přístupem k e-mailu.",
            "2026-11-26",
        ),
        "Toto je automatická odpověď. Obdrželi jsme vaši zprávu a brzy odpovíme.",
    );
}

/// What one more European language must get right, beyond [`check_language`]: a GDPR
/// erasure, the absence and the auto-reply read from their wording alone (no automatic
/// headers), a newsletter's footer that is no opt-out, and the language of each message.
struct Wording<'a> {
    code: &'a str,
    opt_outs: &'a [&'a str],
    erasure: &'a str,
    complaint: &'a str,
    /// The absence notice and the date its writer is back.
    absence: (&'a str, &'a str),
    auto_reply: &'a str,
    /// A newsletter whose footer says how to unsubscribe.
    footer: &'a str,
}

fn check_wording(w: &Wording<'_>) {
    let code = w.code;
    check_language(code, w.opt_outs, w.complaint, w.absence, w.auto_reply);
    let c = classified(w.erasure, "Re: your message", false);
    assert_eq!(
        c.intent.as_str(),
        "unsubscribe",
        "[{code}] erasure: {}",
        w.erasure
    );
    let c = classified(w.complaint, "Re: your message", false);
    assert_eq!(
        c.intent.as_str(),
        "complaint",
        "[{code}] complaint: {}",
        w.complaint
    );
    let c = classified(w.absence.0, "Re: your message", false);
    assert_eq!(
        (c.intent.as_str(), c.ooo_until.as_deref()),
        ("out_of_office", Some(w.absence.1)),
        "[{code}] absence without headers: {}",
        w.absence.0
    );
    let c = classified(w.auto_reply, "Re: your message", false);
    assert_eq!(
        c.intent.as_str(),
        "auto_reply",
        "[{code}] auto-reply without headers: {}",
        w.auto_reply
    );
    let c = classified(w.footer, "News", false);
    assert_eq!(
        c.intent.as_str(),
        "unclear",
        "[{code}] newsletter footer: {}",
        w.footer
    );
    let people = w
        .opt_outs
        .iter()
        .chain([&w.erasure, &w.complaint, &w.footer]);
    for text in people.chain([&w.absence.0, &w.auto_reply]) {
        let c = classified(text, "Re: your message", false);
        assert_eq!(c.lang, code, "[{code}] language of: {text}");
    }
}

#[test]
fn romanian_machine_and_opt_out_wording() {
    check_wording(&Wording {
        code: "ro",
        opt_outs: &[
            "Vă rog să mă scoateți de pe lista dumneavoastră de e-mail și să nu-mi mai trimiteți mesaje.",
            "Nu mai doresc să primesc e-mailuri de la dumneavoastră, vă rog să nu mă mai contactați.",
            "Ma opun prelucrarii datelor mele si va rog sa nu ma mai contactati.",
        ],
        erasure: "Conform art. 17 din GDPR, vă solicit ștergerea tuturor datelor mele personale.",
        complaint: "Acesta este spam. Nu mi-am dat niciodată acordul și voi depune o plângere la ANSPDCP.",
        absence: (
            "Sunt în concediu până pe 24 noiembrie, cu acces limitat la e-mail. Revin la birou pe 25 noiembrie.",
            "2026-11-25",
        ),
        auto_reply: "Acesta este un mesaj generat automat. Am primit solicitarea dumneavoastră și vă vom răspunde în cel mai scurt timp. Vă rugăm să nu răspundeți la acest e-mail.",
        footer: "Noutățile lunii: am lansat un nou raport despre piața muncii și vă invităm la webinarul nostru din decembrie. Primiți acest mesaj pentru că v-ați abonat la newsletterul nostru. Vă puteți dezabona oricând de aici.",
    });
}

#[test]
fn hungarian_machine_and_opt_out_wording() {
    check_wording(&Wording {
        code: "hu",
        opt_outs: &[
            "Kérem, töröljenek a levelezőlistájukról, és a továbbiakban ne keressenek.",
            "Nem kérek több e-mailt Önöktől, kérem, ne írjanak nekem többet.",
            "Tiltakozom személyes adataim kezelése ellen.",
        ],
        erasure: "A GDPR 17. cikke alapján kérem személyes adataim törlését.",
        complaint: "Ez kéretlen levél, soha nem iratkoztam fel. Panaszt teszek a NAIH-nál.",
        absence: (
            "Szabadságon vagyok november 24-ig, az e-mailjeimet korlátozottan olvasom. November 25-én visszatérek.",
            "2026-11-25",
        ),
        auto_reply: "Ez egy automatikus válasz. Levelét megkaptuk, munkatársunk hamarosan felveszi Önnel a kapcsolatot. Kérjük, ne válaszoljon erre az üzenetre.",
        footer: "Havi hírlevelünkben bemutatjuk az új bérszámfejtési funkciókat és a decemberi webináriumot. Ha nem szeretne több hírlevelet kapni, bármikor leiratkozhat az alábbi linken.",
    });
}

#[test]
fn greek_machine_and_opt_out_wording() {
    check_wording(&Wording {
        code: "el",
        opt_outs: &[
            "Παρακαλώ διαγράψτε με από τη λίστα σας και μη μου ξαναστείλετε email.",
            "Δεν επιθυμώ να λαμβάνω άλλα μηνύματα από την εταιρεία σας.",
            "Αντιτίθεμαι στην επεξεργασία των δεδομένων μου για σκοπούς προώθησης.",
        ],
        erasure: "Σύμφωνα με το άρθρο 17 του GDPR, ζητώ τη διαγραφή των προσωπικών μου δεδομένων.",
        complaint: "Αυτό είναι spam. Ποτέ δεν έδωσα τη συγκατάθεσή μου και θα υποβάλω καταγγελία στην Αρχή Προστασίας Δεδομένων.",
        absence: (
            "Βρίσκομαι εκτός γραφείου έως 24 Νοεμβρίου με περιορισμένη πρόσβαση στο email. Θα επιστρέψω στις 25 Νοεμβρίου.",
            "2026-11-25",
        ),
        auto_reply: "Αυτό είναι ένα αυτοματοποιημένο μήνυμα. Λάβαμε το αίτημά σας και θα σας απαντήσουμε το συντομότερο. Παρακαλούμε μην απαντάτε σε αυτό το email.",
        footer: "Στο ενημερωτικό δελτίο του μήνα θα βρείτε τα νέα μας προϊόντα και τις εκδηλώσεις του Δεκεμβρίου. Μπορείτε να απεγγραφείτε ανά πάσα στιγμή από αυτό το ενημερωτικό δελτίο.",
    });
}

#[test]
fn slovak_machine_and_opt_out_wording() {
    check_wording(&Wording {
        code: "sk",
        opt_outs: &[
            "Prosím, odstráňte ma z vášho zoznamu a už mi nepíšte.",
            "Neprajem si dostávať ďalšie e-maily, odvolávam svoj súhlas.",
            "Vznášam námietku proti spracúvaniu mojich osobných údajov na marketing.",
        ],
        erasure: "Podľa článku 17 GDPR žiadam o vymazanie všetkých mojich osobných údajov.",
        complaint: "Toto je spam, nikdy som nedal súhlas. Podám sťažnosť na Úrad na ochranu osobných údajov.",
        absence: (
            "Som na dovolenke do 24. novembra s obmedzeným prístupom k e-mailu. Späť budem 25. novembra.",
            "2026-11-25",
        ),
        auto_reply: "Toto je automatická odpoveď. Prijali sme vašu správu a odpovieme vám čo najskôr. Prosíme, na túto správu neodpovedajte.",
        footer: "V novembrovom newsletteri nájdete novinky o našich produktoch a pozvánku na decembrový webinár. Ak si neželáte dostávať náš newsletter, môžete sa kedykoľvek odhlásiť tu.",
    });
}

#[test]
fn slovenian_machine_and_opt_out_wording() {
    check_wording(&Wording {
        code: "sl",
        opt_outs: &[
            "Prosim, odstranite me s seznama prejemnikov in mi ne pošiljajte več sporočil.",
            "Ne želim več prejemati vaših e-poštnih sporočil.",
            "Ugovarjam obdelavi mojih osebnih podatkov za namene trženja.",
        ],
        erasure: "Na podlagi 17. člena GDPR zahtevam izbris vseh mojih osebnih podatkov.",
        complaint: "To je neželena pošta, nikoli nisem dal privolitve. Vložil bom pritožbo pri Informacijskem pooblaščencu.",
        absence: (
            "Do 24. novembra sem na dopustu in imam omejen dostop do e-pošte. V pisarno se vrnem 25. novembra.",
            "2026-11-25",
        ),
        auto_reply: "To je samodejni odgovor. Prejeli smo vaše sporočilo in vam bomo odgovorili v najkrajšem možnem času. Prosimo, ne odgovarjajte na to sporočilo.",
        footer: "V novembrskih novicah predstavljamo nove funkcije in decembrski spletni seminar. Če ne želite več prejemati naših novic, se lahko kadarkoli odjavite tukaj.",
    });
}

#[test]
fn croatian_machine_and_opt_out_wording() {
    check_wording(&Wording {
        code: "hr",
        opt_outs: &[
            "Molim vas da me uklonite s vaše mailing liste i da mi više ne šaljete poruke.",
            "Ne želim više primati vaše e-mailove, nemojte me više kontaktirati.",
            "Povlačim svoju privolu za slanje marketinških poruka.",
        ],
        erasure: "Sukladno članku 17. GDPR-a zahtijevam brisanje svih mojih osobnih podataka.",
        complaint: "Ovo je neželjena pošta, nikada nisam dao privolu. Podnijet ću pritužbu Agenciji za zaštitu osobnih podataka.",
        absence: (
            "Na godišnjem sam odmoru do 24. studenoga s ograničenim pristupom e-pošti. Vraćam se 25. studenoga.",
            "2026-11-25",
        ),
        auto_reply: "Ovo je automatski odgovor. Zaprimili smo vaš upit i odgovorit ćemo vam u najkraćem mogućem roku. Molimo ne odgovarajte na ovu poruku.",
        footer: "U ovom izdanju newslettera donosimo novosti o našim proizvodima i poziv na prosinački webinar. Ako više ne želite primati naše obavijesti, možete se odjaviti u bilo kojem trenutku.",
    });
}

#[test]
fn bulgarian_machine_and_opt_out_wording() {
    check_wording(&Wording {
        code: "bg",
        opt_outs: &[
            "Моля, премахнете ме от списъка си и не ми пишете повече.",
            "Не желая да получавам повече съобщения от вас.",
            "Възразявам срещу обработването на личните ми данни за маркетинг.",
        ],
        erasure: "Съгласно член 17 от GDPR искам да изтриете всички мои лични данни.",
        complaint: "Това е спам, никога не съм давал съгласие. Ще подам жалба в Комисията за защита на личните данни.",
        absence: (
            "В отпуск съм до 24 ноември с ограничен достъп до имейла. Ще се върна на 25 ноември.",
            "2026-11-25",
        ),
        auto_reply: "Това е автоматичен отговор. Получихме вашето запитване и ще ви отговорим възможно най-скоро. Моля, не отговаряйте на този имейл.",
        footer: "В ноемврийския бюлетин ще намерите новините за нашите продукти и покана за уебинара през декември. Можете да се отпишете по всяко време от този бюлетин.",
    });
}

#[test]
fn estonian_machine_and_opt_out_wording() {
    check_wording(&Wording {
        code: "et",
        opt_outs: &[
            "Palun eemaldage mind oma postitusloendist ja ärge mulle enam kirjutage.",
            "Ma ei soovi teilt enam kirju saada.",
            "Võtan oma nõusoleku tagasi ja esitan vastuväite andmete töötlemisele.",
        ],
        erasure: "Isikuandmete kaitse üldmääruse artikli 17 alusel palun kustutada kõik minu isikuandmed.",
        complaint: "See on rämpspost, ma ei ole kunagi andnud oma nõusolekut. Esitan kaebuse Andmekaitse Inspektsioonile.",
        absence: (
            "Olen puhkusel kuni 24. novembrini ja mul on piiratud juurdepääs e-postile. Tagasi olen 25. novembril.",
            "2026-11-25",
        ),
        auto_reply: "See on automaatne vastus. Oleme teie kirja kätte saanud ja vastame esimesel võimalusel. Palun ärge vastake sellele kirjale.",
        footer: "Novembri uudiskirjas tutvustame uusi funktsioone ja kutsume teid detsembri veebiseminarile. Kui te ei soovi enam meie uudiskirju saada, saate igal ajal loobuda.",
    });
}

#[test]
fn latvian_machine_and_opt_out_wording() {
    check_wording(&Wording {
        code: "lv",
        opt_outs: &[
            "Lūdzu, izņemiet mani no sava adresātu saraksta un vairs nerakstiet man.",
            "Es vairs nevēlos saņemt jūsu e-pasta vēstules.",
            "Iebilstu pret manu personas datu apstrādi tiešā mārketinga nolūkos.",
        ],
        erasure: "Saskaņā ar VDAR 17. pantu lūdzu dzēst visus manus personas datus.",
        complaint: "Tas ir surogātpasts, es nekad neesmu devis piekrišanu. Iesniegšu sūdzību Datu valsts inspekcijā.",
        absence: (
            "Esmu atvaļinājumā līdz 24. novembrim, piekļuve e-pastam ierobežota. Atgriezīšos 25. novembrī.",
            "2026-11-25",
        ),
        auto_reply: "Šī ir automātiska atbilde. Esam saņēmuši jūsu vēstuli un atbildēsim tuvākajā laikā. Lūdzu, neatbildiet uz šo e-pastu.",
        footer: "Novembra jaunumos stāstām par jaunajām funkcijām un aicinām uz decembra vebināru. Ja vairs nevēlaties saņemt mūsu jaunumus, varat jebkurā laikā atrakstīties.",
    });
}

#[test]
fn lithuanian_machine_and_opt_out_wording() {
    check_wording(&Wording {
        code: "lt",
        opt_outs: &[
            "Prašau pašalinti mane iš jūsų adresatų sąrašo ir daugiau man nerašyti.",
            "Nebenoriu gauti jūsų naujienlaiškio.",
            "Atšaukiu savo sutikimą ir prieštarauju mano asmens duomenų tvarkymui.",
        ],
        erasure: "Remdamasis BDAR 17 straipsniu, prašau ištrinti visus mano asmens duomenis.",
        complaint: "Tai šlamštas, niekada nedaviau sutikimo. Pateiksiu skundą Valstybinei duomenų apsaugos inspekcijai.",
        absence: (
            "Esu atostogose iki lapkričio 24 d., prieiga prie el. pašto ribota. Grįšiu lapkričio 25 d.",
            "2026-11-25",
        ),
        auto_reply: "Tai automatinis atsakymas. Gavome jūsų laišką ir atsakysime kuo greičiau. Prašome neatsakyti į šį laišką.",
        footer: "Lapkričio naujienlaiškyje pristatome naujas funkcijas ir kviečiame į gruodžio internetinį seminarą. Jei nebenorite gauti mūsų naujienlaiškio, galite bet kada atsisakyti prenumeratos.",
    });
}

#[test]
fn catalan_machine_and_opt_out_wording() {
    check_wording(&Wording {
        code: "ca",
        opt_outs: &[
            "Si us plau, traieu-me de la vostra llista de correu i no m'envieu més missatges.",
            "No vull rebre més correus vostres, doneu-me de baixa.",
            "M'oposo al tractament de les meves dades amb finalitats comercials.",
        ],
        erasure: "D'acord amb l'article 17 del RGPD, sol·licito la supressió de totes les meves dades personals.",
        complaint: "Això és correu brossa, mai no he donat el meu consentiment. Presentaré una reclamació a l'Autoritat Catalana de Protecció de Dades.",
        absence: (
            "Estic de vacances fins al 24 de novembre amb accés limitat al correu. Tornaré el 25 de novembre.",
            "2026-11-25",
        ),
        auto_reply: "Aquest és un missatge automàtic. Hem rebut la vostra consulta i us respondrem al més aviat possible. Si us plau, no respongueu aquest correu.",
        footer: "Us fem arribar les novetats del mes: hem millorat el tauler de control i us convidem al seminari web de desembre. Podeu donar-vos de baixa d'aquest butlletí en qualsevol moment.",
    });
}

#[test]
fn russian_machine_and_opt_out_wording() {
    check_wording(&Wording {
        code: "ru",
        opt_outs: &[
            "Пожалуйста, удалите меня из вашего списка рассылки и больше мне не пишите.",
            "Прошу больше не присылать мне писем.",
            "Я отзываю согласие на обработку моих персональных данных.",
        ],
        erasure: "В соответствии со статьёй 17 GDPR прошу удалить все мои персональные данные.",
        complaint: "Это спам, я никогда не давал согласия на рассылку. Буду жаловаться в Роскомнадзор.",
        absence: (
            "Я в отпуске до 24 ноября, доступ к почте ограничен. Вернусь 25 ноября.",
            "2026-11-25",
        ),
        auto_reply: "Это автоматический ответ. Мы получили ваше обращение и ответим в ближайшее время. Пожалуйста, не отвечайте на это письмо.",
        footer: "В ноябрьском выпуске рассказываем о новых функциях и приглашаем на вебинар в декабре. Вы можете отписаться от рассылки в любой момент.",
    });
}

#[test]
fn ukrainian_machine_and_opt_out_wording() {
    check_wording(&Wording {
        code: "uk",
        opt_outs: &[
            "Будь ласка, видаліть мене з вашого списку розсилки і більше не надсилайте мені листів.",
            "Я не хочу більше отримувати ваші повідомлення.",
            "Відкликаю свою згоду на обробку моїх персональних даних.",
        ],
        erasure: "Відповідно до статті 17 GDPR прошу видалити всі мої персональні дані.",
        complaint: "Це спам, я ніколи не давав згоди на розсилку. Я подам скаргу до Уповноваженого Верховної Ради з прав людини.",
        absence: (
            "Я у відпустці до 24 листопада, доступ до пошти обмежений. Повернуся 25 листопада.",
            "2026-11-25",
        ),
        auto_reply: "Це автоматична відповідь. Ми отримали ваше звернення і відповімо найближчим часом. Будь ласка, не відповідайте на цей лист.",
        footer: "У листопадовому випуску розповідаємо про нові функції та запрошуємо на вебінар у грудні. Ви можете відписатися від розсилки будь-коли.",
    });
}

#[test]
fn turkish_machine_and_opt_out_wording() {
    check_wording(&Wording {
        code: "tr",
        opt_outs: &[
            "Lütfen beni e-posta listenizden çıkarın ve bana bir daha e-posta göndermeyin.",
            "Artık sizden e-posta almak istemiyorum.",
            "Kişisel verilerimin pazarlama amacıyla işlenmesine itiraz ediyorum.",
            "İletişim bilgilerimi lütfen sisteminizden silin.",
        ],
        erasure: "KVKK ve GDPR kapsamında kişisel verilerimin silinmesini talep ediyorum.",
        complaint: "Bu bir spam, size hiçbir zaman izin vermedim. Kişisel Verileri Koruma Kurumu'na şikayette bulunacağım.",
        absence: (
            "24 Kasım'a kadar yıllık izindeyim ve e-postalarıma sınırlı erişimim var. 25 Kasım'da ofise döneceğim.",
            "2026-11-25",
        ),
        auto_reply: "Bu otomatik bir yanıttır. Mesajınız bize ulaşmıştır, en kısa sürede size dönüş yapacağız. Lütfen bu e-postaya yanıt vermeyiniz.",
        footer: "Kasım bültenimizde yeni özelliklerimizi tanıtıyor ve sizi aralık ayındaki web seminerimize davet ediyoruz. Abonelikten istediğiniz zaman çıkabilirsiniz.",
    });
}

/// A newsletter's footer ("you can unsubscribe at any time") is no opt-out in the languages
/// whose data holds opt-outs, complaints and machine wording only.
#[test]
fn newsletter_footers_are_no_opt_outs_in_the_other_languages() {
    let cases = [
        (
            "pl",
            "W tym wydaniu przedstawiamy nowe funkcje i zapraszamy na grudniowy webinar. Jeśli nie chcesz otrzymywać naszych wiadomości, wypisz się z newslettera tutaj.",
        ),
        (
            "cs",
            "V tomto vydání představujeme nové funkce a zveme vás na prosincový webinář. Z odběru newsletteru se můžete kdykoli odhlásit zde.",
        ),
        (
            "sv",
            "I det här numret presenterar vi nya funktioner och bjuder in till vårt webbinarium i december. Du kan när som helst avsluta prenumerationen här.",
        ),
        (
            "da",
            "I dette nummer præsenterer vi nye funktioner og inviterer til vores webinar i december. Du kan til enhver tid afmelde dig nyhedsbrevet her.",
        ),
        (
            "no",
            "I denne utgaven presenterer vi nye funksjoner og inviterer til vårt webinar i desember. Du kan når som helst avslutte abonnementet eller melde deg av her.",
        ),
        (
            "fi",
            "Tässä uutiskirjeessä esittelemme uusia ominaisuuksia ja kutsumme joulukuun webinaariin. Voit peruuttaa uutiskirjeen tilauksen milloin tahansa.",
        ),
    ];
    assert_read_as(&cases, "News", "unclear");
}

/// Each `(language, text)` is read in that language with that intent.
fn assert_read_as(cases: &[(&str, &str)], subject: &str, intent: &str) {
    let mut misses = Vec::new();
    for (code, text) in cases {
        let c = classified(text, subject, false);
        if c.lang != *code || c.intent.as_str() != intent {
            misses.push(format!("{code}: {} {}: {text}", c.lang, c.intent.as_str()));
        }
    }
    assert!(misses.is_empty(), "{misses:#?}");
}

/// The same request in neighbouring languages, each read as an opt-out in its own language:
/// Czech and Slovak, Slovenian and Croatian, Spanish and Catalan, Italian, Romanian and
/// Portuguese, Russian, Ukrainian and Bulgarian, Finnish and Estonian, Latvian and
/// Lithuanian.
#[test]
fn neighbouring_languages_are_told_apart() {
    let cases = [
        (
            "cs",
            "Prosím, už mi nepište a odstraňte mě z vašeho seznamu.",
        ),
        (
            "sk",
            "Prosím, už mi nepíšte a odstráňte ma z vášho zoznamu.",
        ),
        (
            "pl",
            "Proszę już do mnie nie pisać i usunąć mnie z waszej listy.",
        ),
        (
            "sl",
            "Prosim, ne pošiljajte mi več sporočil, ker nisem zainteresiran.",
        ),
        (
            "hr",
            "Molim vas, ne šaljite mi više poruke jer nisam zainteresiran.",
        ),
        (
            "es",
            "Por favor, no me envíen más correos y borren mis datos.",
        ),
        (
            "ca",
            "Si us plau, no m'envieu més correus i esborreu les meves dades.",
        ),
        (
            "it",
            "Per favore, non inviatemi più email e cancellate i miei dati.",
        ),
        (
            "ro",
            "Vă rog să nu-mi mai trimiteți e-mailuri și să ștergeți datele mele.",
        ),
        (
            "pt",
            "Por favor, não me enviem mais e-mails e apaguem os meus dados.",
        ),
        (
            "ru",
            "Пожалуйста, больше не присылайте мне письма и удалите мои данные.",
        ),
        (
            "uk",
            "Будь ласка, більше не надсилайте мені листи і видаліть мої дані.",
        ),
        (
            "bg",
            "Моля, не ми изпращайте повече писма и изтрийте данните ми.",
        ),
        ("fi", "Älkää lähettäkö minulle enää viestejä, kiitos."),
        ("et", "Palun ärge saatke mulle enam kirju, aitäh."),
        (
            "lv",
            "Lūdzu, vairs nesūtiet man vēstules un dzēsiet manus datus.",
        ),
        (
            "lt",
            "Prašau daugiau nesiųsti man laiškų ir ištrinti mano duomenis.",
        ),
        (
            "hu",
            "Kérem, ne küldjenek nekem több levelet, és töröljék az adataimat.",
        ),
        (
            "de",
            "Bitte schicken Sie mir keine E-Mails mehr und löschen Sie meine Daten.",
        ),
        (
            "tr",
            "Lütfen bana daha fazla e-posta göndermeyin ve verilerimi silin.",
        ),
        (
            "el",
            "Παρακαλώ μη μου στέλνετε άλλα email και διαγράψτε τα δεδομένα μου.",
        ),
    ];
    assert_read_as(&cases, "Re: your message", "unsubscribe");
}

/// The intents beyond machine mail and opt-outs, in the seven core languages.
#[test]
fn core_language_intents() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "en",
            "interested",
            "Sounds good, could you send me a calendar invite for Thursday?",
        ),
        (
            "en",
            "not_interested",
            "Thanks, but we'll pass. We're happy with what we have.",
        ),
        (
            "en",
            "not_now",
            "Not a priority right now, please check back in Q2.",
        ),
        (
            "en",
            "wrong_person",
            "I'm not the right person for this, please contact our CTO, Dana Ruiz (dana@firm.example).",
        ),
        (
            "de",
            "interested",
            "Klingt interessant. Schicken Sie mir bitte ein Angebot und schlagen Sie einen Termin vor.",
        ),
        (
            "de",
            "not_interested",
            "Danke, aber kein Bedarf. Wir sind mit unserer jetzigen Lösung sehr zufrieden.",
        ),
        (
            "de",
            "not_now",
            "Derzeit leider nicht, melden Sie sich gerne im nächsten Jahr wieder.",
        ),
        (
            "de",
            "wrong_person",
            "Dafür bin ich nicht zuständig. Wenden Sie sich bitte an Frau Keller (keller@firm.example).",
        ),
        (
            "fr",
            "interested",
            "Je serais intéressé par une démo, pouvez-vous me proposer un créneau mardi ?",
        ),
        (
            "fr",
            "not_interested",
            "Merci, mais cela ne nous intéresse pas, nous avons déjà une solution.",
        ),
        (
            "fr",
            "not_now",
            "Pas pour le moment, recontactez-moi au prochain trimestre.",
        ),
        (
            "fr",
            "wrong_person",
            "Je ne suis pas la bonne personne, contactez plutôt Paul Martin (paul@firm.example).",
        ),
        (
            "es",
            "interested",
            "Nos interesa mucho, ¿podemos agendar una llamada la semana que viene?",
        ),
        (
            "es",
            "not_interested",
            "No nos interesa, ya contamos con una herramienta para esto.",
        ),
        (
            "es",
            "not_now",
            "Ahora mismo no es buen momento, escríbame más adelante.",
        ),
        (
            "es",
            "wrong_person",
            "No soy la persona adecuada; la persona indicada es Ana Ruiz (ana@firm.example).",
        ),
        (
            "nl",
            "interested",
            "Lijkt me interessant, kunnen we volgende week een demo inplannen?",
        ),
        (
            "nl",
            "not_interested",
            "Nee, bedankt. We hebben al een oplossing en zijn daar tevreden mee.",
        ),
        (
            "nl",
            "not_now",
            "Op dit moment niet, neem volgend jaar gerust opnieuw contact op.",
        ),
        (
            "nl",
            "wrong_person",
            "Ik ben niet de juiste persoon, neem contact op met Eva de Vries (eva@firm.example).",
        ),
        (
            "it",
            "interested",
            "Siamo molto interessati, fissiamo una call per la prossima settimana?",
        ),
        (
            "it",
            "not_interested",
            "No grazie, non ci interessa: usiamo già un altro strumento.",
        ),
        (
            "it",
            "not_now",
            "Al momento non è il momento giusto, ricontattatemi l'anno prossimo.",
        ),
        (
            "it",
            "wrong_person",
            "Non sono la persona giusta, si rivolga al nostro responsabile IT, Marco Bianchi (marco@firm.example).",
        ),
        (
            "pt",
            "interested",
            "Temos interesse, podemos marcar uma reunião na próxima semana?",
        ),
        (
            "pt",
            "not_interested",
            "Não, obrigado. Não estamos interessados.",
        ),
        (
            "pt",
            "not_now",
            "Neste momento não, voltem a contactar-nos no próximo ano.",
        ),
        (
            "pt",
            "wrong_person",
            "Não sou a pessoa certa; fale com a Joana Silva (joana@firm.example), que cuida disso.",
        ),
    ];
    let mut wrong = Vec::new();
    for (lang, want, body) in cases {
        let c = classified(body, "Re: your message", false);
        if c.intent.as_str() != *want {
            wrong.push(format!(
                "[{lang}] expected {want}, got {}: {body}",
                c.intent.as_str()
            ));
        }
        if c.lang != *lang {
            wrong.push(format!("[{lang}] language {}: {body}", c.lang));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn bant_levels_buying_signals_and_sentiment() {
    use sqa_core::domain::{Level, SignalKind};
    let c = classified(
        "Hi Ava, we lose a day every month to broken dashboards and need to fix it. We have a budget of about $40k a year. I decide on tooling, and we want this running by January 2027. Could you send a proposal and a few slots for a demo next week? How do you compare to the tool we use today?",
        "Re: your message",
        false,
    );
    assert_eq!(c.intent.as_str(), "interested");
    let j = &c.judgment;
    assert_eq!(j.budget.level, Level::High, "{:?} {:?}", j.budget, c.bant);
    assert_eq!(j.authority.level, Level::High, "{:?}", j.authority);
    assert!(j.need.level >= Level::Medium, "{:?}", j.need);
    assert!(j.timeline.level >= Level::Medium, "{:?}", j.timeline);
    assert!(!j.budget.reason.is_empty());
    let kinds: Vec<SignalKind> = j.signals.iter().map(|s| s.kind).collect();
    for k in [
        SignalKind::MeetingRequest,
        SignalKind::PricingRequest,
        SignalKind::BudgetStated,
        SignalKind::DecisionMakerInvolved,
        SignalKind::CompetitorComparison,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing from {kinds:?}");
    }
    assert!(j.ready_for_handover(false, 2));
    assert!(!j.negative_sentiment);

    let c = classified(
        "Not now. Our budget is frozen until next year and it is not my decision anyway.",
        "Re: your message",
        false,
    );
    assert_eq!(
        c.judgment.budget.level,
        Level::Low,
        "{:?}",
        c.judgment.budget
    );
    assert!(c.judgment.timeline.level <= Level::Medium);

    let c = classified(
        "Wow, exactly what I was hoping to find in my inbox on a Monday. Stop pestering me.",
        "Re: your message",
        false,
    );
    assert!(c.judgment.negative_sentiment, "{:?}", c.judgment);
    assert!(c.judgment.sentiment_reason.is_some());

    // Machine mail has no judgment.
    let c = classified(
        "I am out of the office until 30 November 2026.",
        "Out of office",
        true,
    );
    assert_eq!(c.judgment, Default::default());
}

/// The BANT reader in each language of `bant.toml`: a reply that states a need, a budget, who
/// decides and when gets all four facts (written from the rules, not from any eval part).
#[test]
fn bant_facts_in_the_core_languages() {
    let replies = [
        (
            "en",
            "Hi Ava, we keep struggling with outages in our reporting. The budget is approved for this year. Our CFO would sign off on it. We want to decide by the end of March. Could you send a proposal?",
        ),
        (
            "de",
            "Hallo Ava, wir haben ständig Probleme mit Ausfällen im Reporting. Das Budget ist freigegeben. Die Freigabe liegt beim CFO. Wir wollen im März starten. Können Sie mir ein Angebot schicken?",
        ),
        (
            "fr",
            "Bonjour Ava, nous avons des problèmes de données chaque semaine. Le budget est validé. C'est moi qui décide. Nous voulons démarrer en avril. Pouvez-vous m'envoyer une proposition ?",
        ),
        (
            "es",
            "Hola Ava, tenemos problemas con los datos cada semana. El presupuesto está aprobado. La decisión final es mía. Queremos empezar en marzo. ¿Nos pueden enviar una propuesta?",
        ),
        (
            "nl",
            "Hoi Ava, we hebben elke week storingen in onze rapportages. Het budget is goedgekeurd. De beslissing ligt bij onze CFO. We willen in maart beginnen. Kunnen jullie een offerte sturen?",
        ),
        (
            "it",
            "Ciao Ava, abbiamo continui problemi con i dati. Il budget è stato approvato. La decisione finale spetta al CFO. Vogliamo iniziare a marzo. Potete inviarci una proposta?",
        ),
        (
            "pt",
            "Olá Ava, temos problemas com os dados todas as semanas. O orçamento está aprovado. A decisão final é minha. Queremos começar em março. Podem enviar-nos uma proposta?",
        ),
    ];
    for (code, body) in replies {
        let c = classified(body, "Re: your message", false);
        assert!(
            ["interested", "question"].contains(&c.intent.as_str()),
            "[{code}] intent {}: {body}",
            c.intent.as_str()
        );
        let b = &c.bant;
        for (dimension, fact) in [
            ("budget", &b.budget),
            ("authority", &b.authority),
            ("need", &b.need),
            ("timeline", &b.timeline),
        ] {
            assert!(fact.is_some(), "[{code}] no {dimension} in {b:?}: {body}");
        }
    }
}

/// Portuguese opt-outs, European and Brazilian, with and without "por favor", "descadastrar",
/// "remover da lista", LGPD and RGPD (written from the rules, not from any eval part).
#[test]
fn portuguese_opt_outs_are_suppressed() {
    let opt_outs = [
        "Por favor, tirem-me da vossa lista de distribuição.",
        "Não pretendo receber mais comunicações vossas.",
        "Não desejo receber mais e-mails.",
        "Quero ser removido da lista de e-mails.",
        "Removam o meu contacto, por favor.",
        "Favor me descadastrar.",
        "Me tira dessa lista.",
        "Por favor, excluam meu e-mail da base de vocês.",
        "Peço a exclusão dos meus dados, conforme a LGPD.",
        "Solicito a eliminação dos meus dados pessoais nos termos do RGPD.",
        "Não me enviem mais nada.",
        "Parem de mandar e-mails para este endereço.",
        "Chega, não quero receber mais nada de vocês.",
        "Gostaria de não receber mais este tipo de mensagem.",
        "Deixem de me enviar mensagens, obrigado.",
        "Por favor, apaguem os meus dados.",
        "Cancelem o envio destes e-mails.",
        "Não tenho interesse, por favor não me contactem mais.",
        "Retirem o meu endereço da vossa mailing list.",
        "Desinscrever, por favor.",
        "Me descadastra, por favor.",
        "Quero parar de receber esses e-mails.",
        "Não autorizo o envio de e-mails para o meu endereço.",
        "Exijo a remoção dos meus dados da vossa base.",
        "Por gentileza, retirar meu e-mail da lista.",
        "Não quero mais receber mensagens de vocês.",
        "Pare de me mandar e-mail.",
        "Sai da minha caixa de entrada. Não quero mais receber isso.",
        "Por favor, removam-me de todas as listas.",
        "Eliminem o meu e-mail da vossa base de dados.",
        "Nos termos da LGPD, peço que excluam todos os meus dados e parem de me contatar.",
        "Não quero continuar recebendo esses e-mails.",
    ];
    let missed: Vec<&str> = opt_outs
        .iter()
        .filter(|o| classified(o, "Re: your message", false).intent.as_str() != "unsubscribe")
        .copied()
        .collect();
    assert!(missed.is_empty(), "opt-outs not suppressed: {missed:#?}");
}

/// Each reply body (under the usual outreach quote) gets its expected intent; the misses are
/// listed together.
fn assert_intents(cases: &[(&str, &str)]) {
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(want, body)| {
            let got = classified(body, "Re: your message", false).intent;
            (got.as_str() != *want).then(|| format!("{want} <- {}: {body}", got.as_str()))
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Deferrals, declines, wrong-person replies and plain yeses in the seven core languages,
/// phrased in ways the eval parts do not use.
#[test]
fn hard_human_intents_in_the_core_languages() {
    let cases = [
        (
            "not_now",
            "We've just signed a two-year contract with someone else, but feel free to try again when it's up for renewal.",
        ),
        ("not_now", "Let's pick this up again in the spring."),
        ("not_now", "Can you come back to me after Easter?"),
        (
            "not_now",
            "We're not ready yet. Maybe once the new CFO is in place.",
        ),
        ("not_now", "No budget left this year. Talk in January?"),
        (
            "not_now",
            "I'd rather wait until our new system is live. Let's talk after that.",
        ),
        ("not_now", "Too early for us. Reach me again around March."),
        (
            "not_now",
            "Not at this stage. Please follow up in a few months.",
        ),
        (
            "not_now",
            "Wir sind gerade mitten in der SAP-Einführung. Fragen Sie im Herbst noch mal.",
        ),
        (
            "not_now",
            "Das Budget ist für dieses Jahr ausgeschöpft. Gern wieder im Januar.",
        ),
        (
            "not_now",
            "Bitte kontaktieren Sie mich nach den Sommerferien erneut.",
        ),
        (
            "not_now",
            "Zurzeit leider nicht, vielleicht im nächsten Jahr.",
        ),
        (
            "not_now",
            "On n'a pas le budget cette année. Revenez vers nous en janvier.",
        ),
        ("not_now", "Écrivez-moi de nouveau après l'été."),
        (
            "not_now",
            "Ahora no es prioridad. Hablamos después del verano.",
        ),
        (
            "not_now",
            "Nu even geen tijd voor, volgend kwartaal misschien.",
        ),
        (
            "not_now",
            "Ci risentiamo dopo l'estate, ora non è il momento.",
        ),
        (
            "not_now",
            "Agora não dá. Volte a falar comigo no próximo trimestre.",
        ),
        ("not_interested", "We're going to stick with what we have."),
        ("not_interested", "Thanks, but this isn't for us."),
        ("not_interested", "We have no use for this."),
        (
            "not_interested",
            "We chose a different provider earlier this year.",
        ),
        (
            "not_interested",
            "Appreciate it, but we'll keep doing this manually.",
        ),
        ("not_interested", "Nah, we're good."),
        ("not_interested", "I'm going to have to say no."),
        (
            "not_interested",
            "Wir haben bereits eine Lösung im Einsatz und sind zufrieden.",
        ),
        ("not_interested", "Kein Interesse, danke."),
        ("not_interested", "Nein danke, wir machen das intern."),
        (
            "not_interested",
            "Non merci, nous avons déjà une solution en place.",
        ),
        ("not_interested", "Cela ne nous intéresse pas."),
        ("not_interested", "No, gracias. Ya tenemos proveedor."),
        ("not_interested", "Nee, wij doen dit liever zelf."),
        ("not_interested", "No grazie, abbiamo già un fornitore."),
        ("not_interested", "Não, obrigado. Já temos uma solução."),
        (
            "wrong_person",
            "I'm not responsible for payroll here. Please contact our finance team.",
        ),
        ("wrong_person", "Sorry, I don't work there anymore."),
        (
            "wrong_person",
            "She left us last year. You might try her old team at ops@firm.example.",
        ),
        (
            "wrong_person",
            "This should go to our IT department, not me.",
        ),
        (
            "wrong_person",
            "I've passed your email to the right person.",
        ),
        (
            "wrong_person",
            "Please reach out to my colleague Jan, he owns this topic.",
        ),
        (
            "wrong_person",
            "Ich bin leider nicht der richtige Ansprechpartner. Versuchen Sie es bei it@firm.example.",
        ),
        (
            "wrong_person",
            "Ich habe Ihre Mail an den zuständigen Kollegen weitergeleitet.",
        ),
        ("wrong_person", "Je ne travaille plus chez eux depuis juin."),
        (
            "wrong_person",
            "Ce n'est pas moi qui décide, voyez avec notre DAF.",
        ),
        ("wrong_person", "Ya no estoy en la empresa."),
        (
            "wrong_person",
            "Ik ben niet de juiste persoon. Mail naar it@firm.example.",
        ),
        ("wrong_person", "Non sono più in azienda."),
        (
            "wrong_person",
            "Já não estou na empresa. Contacte o departamento de RH.",
        ),
        ("interested", "Sure, let's do a quick call next week."),
        (
            "interested",
            "Sounds good. Send over a few times that work for you.",
        ),
        (
            "interested",
            "I'd be open to a demo if you can do Thursday.",
        ),
        (
            "interested",
            "Can you send me pricing for 300 employees? We want to decide this quarter.",
        ),
        ("interested", "Put something in my calendar for Tuesday."),
        ("interested", "Ok, show me what it does. Tuesday 10am?"),
        (
            "interested",
            "Klingt interessant, schicken Sie mir gern eine Einladung für nächste Woche.",
        ),
        ("interested", "Gern, wann passt es Ihnen?"),
        ("interested", "D'accord pour une démo, je suis libre mardi."),
        ("interested", "Vale, hagamos una llamada el martes."),
        ("interested", "Prima, stuur maar een uitnodiging."),
        ("interested", "Va bene, fissiamo una call per martedì."),
        ("interested", "Pode ser. Marcamos uma conversa na terça?"),
        (
            "wrong_person",
            "I'm afraid I can't help you, this is handled by our procurement team.",
        ),
        (
            "wrong_person",
            "You'd need to speak with our Head of People about this.",
        ),
        ("wrong_person", "Not my department. Good luck."),
        (
            "wrong_person",
            "I retired last month; for anything on this please contact anna.berg@firm.example.",
        ),
        (
            "wrong_person",
            "I'm only an intern here, I have no say in any of this.",
        ),
        (
            "wrong_person",
            "I'm the wrong person to ask. Maybe try our CFO?",
        ),
        (
            "wrong_person",
            "Our finance team takes care of this. You can reach them at finance@firm.example.",
        ),
        (
            "wrong_person",
            "I'm on the sales side, so this isn't really my thing.",
        ),
        (
            "wrong_person",
            "Payroll is outsourced and managed by our COO, Mark. I'm not involved.",
        ),
        (
            "wrong_person",
            "Bitte wenden Sie sich an unseren Einkauf, ich habe damit nichts zu tun.",
        ),
        (
            "wrong_person",
            "Ich bin seit Oktober in Elternzeit und nicht mehr für das Thema verantwortlich.",
        ),
        (
            "wrong_person",
            "Da müssen Sie mit der Personalabteilung sprechen.",
        ),
        (
            "wrong_person",
            "Je ne suis plus en charge de ce sujet. Contactez plutôt paul@firm.example.",
        ),
        (
            "wrong_person",
            "No llevo este tema, habla con nuestro equipo de IT.",
        ),
        (
            "wrong_person",
            "Hiervoor moet je bij onze IT-afdeling zijn.",
        ),
        (
            "wrong_person",
            "Non seguo più questo argomento, scriva a ufficio.it@firm.example.",
        ),
        (
            "wrong_person",
            "Não sou eu que decido, é o nosso diretor financeiro.",
        ),
        (
            "not_now",
            "Let's talk again when we have budget, probably in Q3.",
        ),
        ("not_now", "This is something for next year's planning."),
        (
            "not_now",
            "We might revisit after the board meeting in March.",
        ),
        (
            "not_now",
            "Sounds useful but we're swamped until the end of January.",
        ),
        (
            "not_now",
            "The timing is not ideal. Maybe in a couple of months?",
        ),
        (
            "not_now",
            "We're reviewing our stack next summer, I'll reach out then.",
        ),
        (
            "not_now",
            "I'll get back to you when things calm down after the holidays.",
        ),
        ("not_now", "Melde mich, wenn das Budget für 2027 steht."),
        (
            "not_now",
            "Kommen Sie nach dem Jahreswechsel noch einmal auf mich zu.",
        ),
        (
            "not_now",
            "Gerne im Frühjahr wieder, jetzt ist zu viel los.",
        ),
        ("not_now", "Je reviendrai vers vous l'an prochain."),
        ("not_now", "Lo vemos el año que viene."),
        ("not_now", "Volgend voorjaar misschien, nu niet."),
        ("not_now", "Se ne parla l'anno prossimo."),
        ("not_now", "Vamos falar no ano que vem."),
        ("not_interested", "Sorry, but we're not going to buy this."),
        (
            "not_interested",
            "Appreciate the note, but we have everything we need.",
        ),
        ("not_interested", "Honestly, we don't need another tool."),
        ("not_interested", "We already have a solution for that."),
        (
            "not_interested",
            "Please don't take this the wrong way, but it isn't a fit.",
        ),
        (
            "not_interested",
            "Wir haben kein Budget und auch keinen Bedarf.",
        ),
        ("not_interested", "Das brauchen wir nicht, danke."),
        ("not_interested", "Nous n'en avons pas l'utilité."),
        ("not_interested", "No nos encaja, gracias."),
        ("not_interested", "Dit is niet iets voor ons."),
        ("not_interested", "Non ne abbiamo bisogno."),
        ("not_interested", "Dispensamos, obrigado."),
        (
            "interested",
            "Happy to take a look. Can you set something up for next Tuesday?",
        ),
        (
            "interested",
            "Please send the proposal, we'll review it internally.",
        ),
        ("interested", "Could we get a trial account for two weeks?"),
        (
            "interested",
            "I want to see how it handles our case. When are you free?",
        ),
        ("interested", "Okay, I'm in. What's the next step?"),
        ("interested", "Bitte schicken Sie mir ein Angebot."),
        (
            "interested",
            "Envoyez-moi une proposition, s'il vous plaît.",
        ),
        ("interested", "Mándame una propuesta, por favor."),
        ("interested", "Stuur me een offerte."),
        ("interested", "Mi mandi un preventivo, grazie."),
        ("interested", "Manda-me uma proposta, por favor."),
        (
            "interested",
            "Podemos marcar uma demonstração no próximo mês?",
        ),
        ("not_now", "Agora não. Me escreve no próximo ano."),
        (
            "wrong_person",
            "I'm not the right person, but my colleague Sara would be happy to have a call with you: sara@firm.example",
        ),
        (
            "wrong_person",
            "Please reach out to our CTO at cto@firm.example if you'd like to schedule a demo.",
        ),
        (
            "wrong_person",
            "You should talk to Jan about a demo, he runs our data team.",
        ),
        (
            "wrong_person",
            "I've cc'd my colleague who handles this; she can set up a call with you.",
        ),
        (
            "wrong_person",
            "Ich bin nicht zuständig. Für eine Demo wenden Sie sich bitte an Frau Huber.",
        ),
        (
            "interested",
            "Would it be possible to see a demo sometime next week?",
        ),
        ("interested", "Is there any chance we could get a trial?"),
        ("interested", "Can we get on a call?"),
        (
            "interested",
            "I'd like to learn more, can you call me tomorrow?",
        ),
        ("interested", "Could you show our team how it works?"),
        ("interested", "We'd be interested in a proposal."),
        (
            "interested",
            "Please get in touch with me to arrange a meeting.",
        ),
        (
            "interested",
            "Let me know when you're available for a chat.",
        ),
        ("interested", "Worth a conversation. When suits you?"),
        ("interested", "Ich hätte Interesse an einer Demo."),
        ("interested", "Wäre ein Termin nächste Woche möglich?"),
        ("interested", "Können Sie mir einen Testzugang einrichten?"),
        ("interested", "Mi piacerebbe organizzare una call."),
        (
            "interested",
            "Tem disponibilidade para uma chamada na quinta?",
        ),
        ("interested", "Kunt u mij volgende week bellen?"),
        ("not_now", "Let's speak in the new year."),
        ("not_now", "Please get back to me in Q2."),
        (
            "not_now",
            "We'll be in a better position to talk in spring.",
        ),
        (
            "not_now",
            "Reach out after our budget is approved in February.",
        ),
        ("not_now", "Not in this financial year."),
        ("not_now", "Can we pick this up again in a few months?"),
        (
            "not_now",
            "I'd be happy to look at this again once we've finished our migration.",
        ),
        ("not_now", "Ich melde mich im neuen Jahr bei Ihnen."),
        ("not_now", "Schreiben Sie mir im März noch einmal."),
        ("not_now", "Dieses Jahr nicht mehr."),
        ("not_now", "Ne riparliamo a febbraio."),
        ("not_now", "Mettiamoci in contatto a settembre."),
        ("not_interested", "We'll stay with our current provider."),
        ("not_interested", "Thanks but no."),
        ("not_interested", "We're not looking to change anything."),
        ("not_interested", "I don't think this is for us."),
        ("not_interested", "Kein Bedarf, danke."),
        (
            "not_interested",
            "Wir bleiben bei unserer aktuellen Lösung.",
        ),
        ("not_interested", "Non è il caso, grazie."),
        (
            "wrong_person",
            "Anna Berg is the person you should be talking to.",
        ),
        (
            "wrong_person",
            "I'm copying Anna, who handles payroll for us.",
        ),
        ("wrong_person", "This would be one for our IT department."),
        (
            "wrong_person",
            "I'm no longer responsible for this area since the reorganisation.",
        ),
        ("wrong_person", "I don't have anything to do with payroll."),
        ("wrong_person", "That's not something I'm involved in."),
        ("wrong_person", "I'm not in charge of that."),
        (
            "wrong_person",
            "Our IT director would be better placed to answer this.",
        ),
        ("wrong_person", "Please direct this to our HR manager."),
        (
            "wrong_person",
            "I handed over my role to Mark Lee (mark.lee@firm.example) in September.",
        ),
        ("wrong_person", "She's the decision maker, not me."),
        (
            "wrong_person",
            "Ich bin dafür nicht die richtige Ansprechpartnerin.",
        ),
        ("wrong_person", "Das ist nicht mein Bereich."),
        ("wrong_person", "Ich habe mit dem Thema nichts zu tun."),
        (
            "wrong_person",
            "Bitte richten Sie Ihre Anfrage an unsere IT.",
        ),
        ("wrong_person", "Ich gebe das an meinen Kollegen weiter."),
        ("wrong_person", "Je ne suis pas en charge de ce sujet."),
        ("wrong_person", "No soy el responsable de esto."),
        (
            "wrong_person",
            "Esto lo lleva mi compañera Marta: marta@firm.example",
        ),
        (
            "wrong_person",
            "Ik ben hier niet verantwoordelijk voor, dat is mijn collega Joost.",
        ),
        (
            "wrong_person",
            "Non me ne occupo io, la persona giusta è Luca.",
        ),
        ("wrong_person", "Não trato disso, fale com a Joana."),
        (
            "not_now",
            "Could you follow up with me in about three months?",
        ),
        ("not_now", "We will look into this topic in 2027."),
        (
            "not_now",
            "We'll have a look at tools like this once the new fiscal year starts.",
        ),
        ("not_now", "Try again after Christmas."),
        (
            "not_now",
            "Interesting, but let's wait until after our audit.",
        ),
        (
            "not_now",
            "I'm on the fence; maybe we talk again in the summer.",
        ),
        (
            "not_now",
            "Not yet. We need to finish our cloud move first.",
        ),
        ("not_now", "Please contact me again at the end of Q1."),
        ("not_now", "This is a 2027 topic for us."),
        ("not_now", "Nicht vor dem zweiten Quartal."),
        ("not_now", "Wir schauen uns das frühestens im Sommer an."),
        ("not_now", "Nous verrons cela au prochain exercice."),
        ("not_now", "Ahora no, quizás en otoño."),
        ("not_now", "Laten we na de zomer verder praten."),
        ("not_now", "Magari a primavera, ora no."),
        ("not_now", "Fala comigo depois do verão."),
        ("interested", "OK, let's see it."),
        ("interested", "Send me the link and I'll pick a time."),
        ("interested", "Fine by me, what time tomorrow?"),
        ("interested", "I'd welcome a proposal for 50 seats."),
        ("interested", "Yes please, a demo would be great."),
        ("interested", "Book me in for Thursday."),
        (
            "interested",
            "Ja, gerne. Schicken Sie mir ein paar Terminvorschläge.",
        ),
        (
            "interested",
            "Oui, avec plaisir. Quand êtes-vous disponible ?",
        ),
        ("interested", "Sí, me interesa. ¿Cuándo hablamos?"),
        ("interested", "Ja, graag. Wanneer kunnen we bellen?"),
        ("interested", "Sì, volentieri. Quando possiamo sentirci?"),
        ("interested", "Sim, tenho interesse. Quando podemos falar?"),
        ("not_interested", "Hard no."),
        ("not_interested", "Thanks, we're covered."),
        ("not_interested", "Not for now or ever, thanks."),
        ("not_interested", "Danke, wir sind versorgt."),
        ("not_interested", "Merci, nous sommes équipés."),
    ];
    assert_intents(&cases);
}

/// Replies typed in a hurry: lower case, no accents or umlauts, no apostrophes, chat
/// shorthand, a bare month as the question (sentences written for this test, not taken from
/// any eval part). An opt-out in the last line of a long decline stays an opt-out.
#[test]
fn replies_typed_in_a_hurry_keep_their_intent() {
    let cases = [
        ("not_now", "swamped w the audit til feb. march?"),
        (
            "not_now",
            "not until the new erp is in. ping me after that pls",
        ),
        (
            "not_now",
            "bin grad im umzug, melden sie sich bitte spaeter nochmal, so im maerz",
        ),
        ("wrong_person", "not me, ask our finance guy"),
        (
            "wrong_person",
            "no idea who handles that tbh, i only do the front desk",
        ),
        (
            "not_interested",
            "we're 8 people, way too small for something like this",
        ),
        ("not_interested", "dont need it, thx"),
        ("question", "do u support sso w azure?"),
        (
            "interested",
            "can u send me pricing for 250 ppl? want to decide this month",
        ),
        (
            "unsubscribe",
            "Thanks for writing. We have a provider we are happy with and no plans to \
             change it this year or next.\n\nAnd please don't write to me again.",
        ),
        (
            "unsubscribe",
            "Kein Bedarf. Und bitte schreiben Sie mir nicht mehr.",
        ),
        (
            "unsubscribe",
            "Geen interesse, en mail me alsjeblieft niet meer.",
        ),
        (
            "interested",
            "Ein Testzugang wär super, gern für zwei Leute.",
        ),
        (
            "not_interested",
            "Ne, lass mal gut sein, wir machen das mit Excel.",
        ),
        (
            "wrong_person",
            "Ich bin nur die Assistenz, ich leite es intern weiter.",
        ),
        ("unclear", "Dienstag passt es nicht, Mittwoch wäre besser."),
        (
            "wrong_person",
            "ik zit op de receptie, geen idee wie hierover beslist",
        ),
        (
            "not_now",
            "Tot half maart zit de planning vol. daarna graag",
        ),
        ("question", "werkt 't ook met Snowflake?"),
        (
            "wrong_person",
            "mauvais destinataire, je gère uniquement la logistique",
        ),
        (
            "interested",
            "Salut, ok pour un appel, jeudi matin ça irait ?",
        ),
        (
            "not_now",
            "Adesso è impossibile, abbiamo la chiusura di bilancio. Sentiamoci dopo le feste.",
        ),
        (
            "wrong_person",
            "Sono solo un'addetta della segreteria, non decido io.",
        ),
        (
            "interested",
            "Dale, coordinamos una llamada? El martes estoy libre toda la mañana.",
        ),
        (
            "not_interested",
            "Somos demasiado chicos para una herramienta así, gracias de todas formas.",
        ),
        ("question", "vcs processam a folha de autônomos tb?"),
        (
            "not_interested",
            "Obrigado, mas a gente já tem um fornecedor que faz isso.",
        ),
        (
            "unclear",
            "gracias, ya agendamos una demo con otro proveedor",
        ),
        // A story's "his replacement" sends us nowhere; "no need to" is no decline.
        (
            "not_now",
            "Our director retires in December. His replacement, Ana Ruiz, starts on 4 January. \
             Get back to me in February and I'll put it in front of her.",
        ),
        (
            "interested",
            "sure, send the trial link over. no need to go through procurement",
        ),
        (
            "interested",
            "We would therefore welcome a short call with our finance director.",
        ),
    ];
    assert_intents(&cases);
}

/// The point of a long or formal letter, next to its background: a history, a past date, a
/// story's names, a notice of another matter (sentences written for this test, not taken
/// from any eval part).
#[test]
fn a_letters_point_is_read_beside_its_background() {
    let cases = [
        (
            "not_interested",
            "Merci pour les précisions. Après en avoir discuté avec la direction, nous \
             n'irons pas plus loin avec votre solution.",
        ),
        (
            "interested",
            "Je veux bien la présentation : jeudi matin ou vendredi après-midi, à votre choix.",
        ),
        (
            "interested",
            "Le chiedo di mandarci una proposta, indicando anche se e quando sarà possibile \
             includere la Svizzera.",
        ),
        (
            "question",
            "Buongiorno, una domanda: gli operatori che devono solo segnalare i guasti vanno \
             pagati come utenti?",
        ),
        ("complaint", "Ho segnalato la vostra mail come spam."),
        (
            "interested",
            "Le agradecería que nos enviara una propuesta para 40 usuarios con el detalle del soporte.",
        ),
        (
            "unclear",
            "¿Nos pueden enviar una factura rectificativa? El importe no coincide con el pedido.",
        ),
        (
            "wrong_person",
            "Obrigado pela mensagem. Essa escolha não passa por mim: quem define as \
             ferramentas é a diretoria na sede.",
        ),
        (
            "interested",
            "Há dois anos passamos a fazer tudo numa folha de cálculo. Sim para a demo, pode ser na quinta?",
        ),
        (
            "unclear",
            "Segue o mapa de férias da equipa. Confirmem as datas até 30 de novembro, por favor.",
        ),
        (
            "interested",
            "Thank you for your note. Our payroll has run in-house on the same desktop software \
             since 2014. I would therefore welcome a call with you next week.",
        ),
    ];
    assert_intents(&cases);
}

/// Wrong person, deferral, decline and interest in German (incl. Austrian and Swiss) and
/// Dutch business replies, without the usual words for them (sentences written for this
/// test, not taken from any eval part).
#[test]
fn business_german_and_dutch_keep_their_intent() {
    let cases = [
        (
            "wrong_person",
            "Mit der Lohnverrechnung und den Meldungen an die ÖGK habe ich nichts mehr zu tun, \
             ich bin jetzt im Vertrieb.",
        ),
        (
            "wrong_person",
            "Ehrlich gesagt weiss ich nicht, wer bei uns die Instandhaltung betreut.",
        ),
        (
            "wrong_person",
            "Über neue Software wird bei uns ausschliesslich in der Holding in Zürich entschieden.",
        ),
        (
            "not_interested",
            "Unser Ticketsystem ist selbst entwickelt, und das lösen wir sicher nicht ab.",
        ),
        (
            "not_interested",
            "Ein zusätzliches Tool kommt bei uns nicht in Frage.",
        ),
        (
            "not_interested",
            "Wir haben uns bereits für eine andere Lösung entschieden.",
        ),
        ("not_now", "Vorher kann ich Ihnen keine Zusage geben."),
        (
            "interested",
            "Könnten Sie nächste Woche einmal bei uns in Linz vorbeischauen?",
        ),
        (
            "interested",
            "Wir haben uns für Ihre Lösung entschieden, schicken Sie den Vertrag.",
        ),
        (
            "interested",
            "Darüber entscheide ich nicht allein, aber schicken Sie gern ein Angebot.",
        ),
        (
            "unclear",
            "Wir haben uns nicht für Ihre Lösung entschieden.",
        ),
        ("question", "Kann man bei Ihnen auch monatlich kündigen?"),
        (
            "not_interested",
            "Een eigen wagenpark hebben wij niet, alles wordt gehuurd.",
        ),
        (
            "not_interested",
            "Ons ERP dekt eigenlijk alles wat we nodig hebben.",
        ),
        (
            "not_now",
            "Neem dan gerust na de krokusvakantie nog eens contact op.",
        ),
        ("wrong_person", "Dat is echt zijn terrein, niet het mijne."),
        (
            "wrong_person",
            "De beslissing over een nieuw pakket ligt bij de raad van bestuur.",
        ),
        (
            "interested",
            "Kunnen we een offerte krijgen voor 80 medewerkers?",
        ),
        (
            "interested",
            "De keuze voor een leverancier ligt bij ons, dus stuur maar een offerte.",
        ),
        ("question", "Kan ik een offerte ook per maand betalen?"),
    ];
    assert_intents(&cases);
}

/// Plain business replies in the further languages of the core seven and in Polish and
/// Danish (sentences written for this test, not taken from any eval part).
#[test]
fn plain_replies_in_french_italian_spanish_portuguese_polish_danish() {
    let cases = [
        (
            "interested",
            "Envoyez-nous trois créneaux jeudi ou vendredi pour une démo.",
        ),
        (
            "interested",
            "Tu pourrais me faire un devis pour 25 salariés ?",
        ),
        (
            "not_interested",
            "Nous confions déjà toute notre comptabilité à un cabinet d'expertise comptable.",
        ),
        (
            "question",
            "Que se passe-t-il si un technicien perd la connexion ?",
        ),
        ("unclear", "Excusez-moi, est-ce qu'on s'est déjà parlé ?"),
        (
            "interested",
            "Ci servirebbe una prova di un mese su due reparti.",
        ),
        ("not_now", "Si faccia sentire dopo l'estate."),
        ("question", "Parlate anche in tedesco?"),
        (
            "wrong_person",
            "De la facturación se encarga otro departamento, yo solo llevo ventas.",
        ),
        ("question", "¿Cuánto nos costaría para unos 40 empleados?"),
        ("not_interested", "No es algo que pensemos contratar."),
        (
            "interested",
            "Gostaríamos de experimentar o período gratuito já esta semana.",
        ),
        (
            "wrong_person",
            "Não sei dizer quem trata disso aqui na empresa.",
        ),
        (
            "wrong_person",
            "Nie wiem, kto w firmie odpowiada za ten obszar.",
        ),
        ("unclear", "Hej, hvad går det ud på?"),
    ];
    assert_intents(&cases);
}

/// The intents beyond machine mail and opt-outs in Polish, Swedish, Danish, Norwegian, Finnish
/// and Czech (sentences written for this test, not taken from any eval part).
#[test]
fn further_language_intents() {
    let cases: &[(&str, &str, &str)] = &[
        // Polish
        (
            "pl",
            "wrong_person",
            "Nie jestem właściwą osobą – za to odpowiada nasz dyrektor finansowy.",
        ),
        (
            "pl",
            "wrong_person",
            "Od stycznia nie pracuję już w tej firmie.",
        ),
        (
            "pl",
            "wrong_person",
            "To nie mój obszar, proszę skontaktować się z działem IT: it@firma.example.",
        ),
        (
            "pl",
            "wrong_person",
            "Nie zajmuję się zakupami, w tej sprawie proszę pisać do pana Nowaka.",
        ),
        (
            "pl",
            "interested",
            "Brzmi ciekawie. Czy możemy umówić się na prezentację w przyszłym tygodniu?",
        ),
        (
            "pl",
            "interested",
            "Proszę o przesłanie oferty dla 50 użytkowników.",
        ),
        (
            "pl",
            "interested",
            "Jesteśmy zainteresowani, chętnie zobaczymy demo.",
        ),
        (
            "pl",
            "interested",
            "Chcielibyśmy przetestować system przez miesiąc.",
        ),
        ("pl", "question", "Czy system obsługuje integrację z SAP?"),
        (
            "pl",
            "question",
            "Ile kosztuje licencja dla jednego użytkownika?",
        ),
        ("pl", "question", "Jak wygląda wdrożenie w praktyce?"),
        (
            "pl",
            "not_now",
            "W tej chwili nie mamy na to budżetu, proszę odezwać się po wakacjach.",
        ),
        (
            "pl",
            "not_now",
            "Na razie nie, wróćmy do tematu w przyszłym roku.",
        ),
        (
            "pl",
            "not_now",
            "Jesteśmy w trakcie reorganizacji, to jeszcze za wcześnie.",
        ),
        (
            "pl",
            "not_interested",
            "Dziękuję, ale nie jesteśmy zainteresowani.",
        ),
        (
            "pl",
            "not_interested",
            "Nie potrzebujemy takiego rozwiązania.",
        ),
        (
            "pl",
            "not_interested",
            "Korzystamy już z innego systemu i jesteśmy z niego zadowoleni.",
        ),
        (
            "pl",
            "wrong_person",
            "Jesteśmy spółką zależną – o takich zakupach decyduje centrala w Warszawie.",
        ),
        (
            "pl",
            "not_now",
            "Mamy nowego dyrektora finansowego i wszystkie zakupy są wstrzymane do odwołania.",
        ),
        ("pl", "interested", "Proszę zapisać nas na okres próbny."),
        // Swedish
        (
            "sv",
            "wrong_person",
            "Jag är inte rätt person för det här, det är vår IT-chef som beslutar om sådana system.",
        ),
        (
            "sv",
            "wrong_person",
            "Jag har tyvärr slutat på företaget sedan i augusti.",
        ),
        (
            "sv",
            "wrong_person",
            "Det här ligger utanför mitt ansvarsområde – vänd dig till ekonomi@firma.example.",
        ),
        (
            "sv",
            "wrong_person",
            "Fel person, tyvärr. Kontakta hellre min kollega Johan Berg (johan.berg@firma.example).",
        ),
        (
            "sv",
            "interested",
            "Det låter spännande! Kan vi boka ett digitalt möte på torsdag?",
        ),
        (
            "sv",
            "interested",
            "Skicka gärna en offert för 200 användare.",
        ),
        (
            "sv",
            "interested",
            "Vi skulle vilja testa er lösning under en månad.",
        ),
        (
            "sv",
            "interested",
            "När passar det för dig att visa en demo nästa vecka?",
        ),
        ("sv", "question", "Stöder ni integration med Fortnox?"),
        ("sv", "question", "Hur lång tid tar införandet i regel?"),
        ("sv", "question", "Går det att lagra all data inom EU?"),
        (
            "sv",
            "not_now",
            "Inte aktuellt just nu, men hör gärna av dig igen till hösten.",
        ),
        (
            "sv",
            "not_now",
            "Vi håller på med en stor omorganisation, så återkom gärna efter årsskiftet.",
        ),
        (
            "sv",
            "not_now",
            "Just nu har vi inte tid med det här, kanske längre fram.",
        ),
        (
            "sv",
            "not_interested",
            "Tack, men vi har redan ett system som fungerar bra.",
        ),
        ("sv", "not_interested", "Nej tack, vi behöver inte det här."),
        ("sv", "not_interested", "Vi har valt en annan leverantör."),
        (
            "sv",
            "wrong_person",
            "Vi är ett dotterbolag och sådana beslut fattas av koncernen i Stockholm.",
        ),
        (
            "sv",
            "not_now",
            "Vi har fått en ny ekonomichef och alla investeringar är pausade tills vidare.",
        ),
        ("sv", "question", "Hur är det med GDPR?"),
        // Danish
        (
            "da",
            "wrong_person",
            "Jeg er ikke den rette at tale med – det er vores økonomichef, der træffer den slags beslutninger.",
        ),
        (
            "da",
            "wrong_person",
            "Jeg har forladt virksomheden og har ikke længere adgang til den slags.",
        ),
        (
            "da",
            "wrong_person",
            "Det ligger uden for mit område. Skriv i stedet til it@firma.example.",
        ),
        (
            "da",
            "wrong_person",
            "Det er ikke mig, der håndterer lønsystemer. Kontakt vores HR-chef, Mette Holm.",
        ),
        (
            "da",
            "interested",
            "Det lyder interessant. Kan vi booke et møde i næste uge?",
        ),
        ("da", "interested", "Send gerne et tilbud på 150 brugere."),
        (
            "da",
            "interested",
            "Vi vil gerne prøve løsningen af i en testperiode.",
        ),
        (
            "da",
            "question",
            "Understøtter I integration med e-conomic?",
        ),
        ("da", "question", "Hvordan foregår implementeringen?"),
        (
            "da",
            "question",
            "Hvad koster det per medarbejder om måneden?",
        ),
        (
            "da",
            "not_now",
            "Det passer ikke lige nu. Vend gerne tilbage efter sommerferien.",
        ),
        (
            "da",
            "not_now",
            "Vi har travlt med en systemomlægning, så kontakt os igen næste år.",
        ),
        ("da", "not_now", "Vores budget for i år er allerede brugt."),
        (
            "da",
            "not_interested",
            "Nej tak, det er ikke relevant for os.",
        ),
        (
            "da",
            "not_interested",
            "Vi har allerede en løsning, som vi er godt tilfredse med.",
        ),
        ("da", "not_interested", "Vi har ikke brug for det, tak."),
        (
            "da",
            "wrong_person",
            "Jeg sidder ikke længere med IT-indkøb, det gør min kollega Jens Madsen (jm@firma.example).",
        ),
        (
            "da",
            "not_interested",
            "Vi bliver hos vores nuværende leverandør.",
        ),
        ("da", "interested", "Skriv mig op til prøveperioden."),
        // Norwegian
        (
            "no",
            "wrong_person",
            "Dette er ikke mitt ansvarsområde. Ta kontakt med vår økonomisjef, Kari Nilsen.",
        ),
        (
            "no",
            "wrong_person",
            "Jeg har sluttet i selskapet og kan dessverre ikke hjelpe deg.",
        ),
        (
            "no",
            "wrong_person",
            "Feil person, beklager. Send henvendelsen til innkjop@firma.example.",
        ),
        (
            "no",
            "interested",
            "Høres interessant ut. Kan vi avtale et møte neste uke?",
        ),
        (
            "no",
            "interested",
            "Vi vil gjerne teste løsningen i en prøveperiode.",
        ),
        ("no", "interested", "Send gjerne et tilbud for 80 ansatte."),
        ("no", "question", "Støtter dere integrasjon mot Visma?"),
        (
            "no",
            "question",
            "Hvordan fungerer prisingen for små bedrifter?",
        ),
        ("no", "question", "Finnes det en norsk versjon av appen?"),
        (
            "no",
            "not_now",
            "Ikke akkurat nå, men ta gjerne kontakt igjen etter nyttår.",
        ),
        (
            "no",
            "not_now",
            "Vi er midt i en omorganisering, så dette må vente til høsten.",
        ),
        (
            "no",
            "not_now",
            "Det er for tidlig for oss. Kom gjerne tilbake til meg i mars.",
        ),
        (
            "no",
            "not_interested",
            "Nei takk, vi er godt fornøyde med dagens løsning.",
        ),
        (
            "no",
            "not_interested",
            "Vi har ikke behov for et slikt system.",
        ),
        ("no", "not_interested", "Dette er ikke aktuelt for oss."),
        (
            "no",
            "wrong_person",
            "Det er daglig leder som bestemmer slike ting: per@firma.example",
        ),
        (
            "no",
            "not_now",
            "Alt er satt på vent til den nye økonomisjefen er på plass.",
        ),
        ("no", "not_interested", "Vi løser dette internt i Excel."),
        // Finnish
        (
            "fi",
            "wrong_person",
            "En ole oikea henkilö tähän. Asiasta vastaa talousjohtajamme Mikko Virtanen.",
        ),
        (
            "fi",
            "wrong_person",
            "Olen jäänyt eläkkeelle, joten en voi auttaa tässä asiassa.",
        ),
        (
            "fi",
            "wrong_person",
            "Tämä ei kuulu minun vastuulleni. Ota yhteyttä IT-osastoon: it@yritys.example.",
        ),
        (
            "fi",
            "interested",
            "Kuulostaa kiinnostavalta. Voisimmeko sopia esittelyn ensi viikolle?",
        ),
        (
            "fi",
            "interested",
            "Olemme kiinnostuneita. Lähettäkää meille tarjous 120 käyttäjälle.",
        ),
        (
            "fi",
            "interested",
            "Haluaisimme kokeilla palvelua kuukauden ajan.",
        ),
        (
            "fi",
            "question",
            "Tukeeko järjestelmä integraatiota Netvisoriin?",
        ),
        ("fi", "question", "Miten käyttöönotto käytännössä etenee?"),
        (
            "fi",
            "question",
            "Paljonko lisenssi maksaa käyttäjää kohden?",
        ),
        (
            "fi",
            "not_now",
            "Ei ole juuri nyt ajankohtainen, palataan asiaan syksyllä.",
        ),
        (
            "fi",
            "not_now",
            "Meillä on käynnissä organisaatiomuutos, joten ottakaa yhteyttä uudelleen ensi vuonna.",
        ),
        ("fi", "not_now", "Tämän vuoden budjetti on jo käytetty."),
        (
            "fi",
            "not_interested",
            "Ei kiitos, emme tarvitse tällaista palvelua.",
        ),
        (
            "fi",
            "not_interested",
            "Olemme tyytyväisiä nykyiseen toimittajaamme.",
        ),
        ("fi", "not_interested", "Emme ole kiinnostuneita, kiitos."),
        (
            "fi",
            "wrong_person",
            "Olemme tytäryhtiö, ja tällaisista hankinnoista päätetään konsernissa.",
        ),
        ("fi", "not_now", "Hankinnat on jäädytetty toistaiseksi."),
        ("fi", "interested", "Laittakaa meidät kokeilujaksolle."),
        // Czech
        (
            "cs",
            "wrong_person",
            "Nejsem správná osoba, obraťte se prosím na našeho IT manažera.",
        ),
        ("cs", "wrong_person", "Ve firmě už nepracuji."),
        (
            "cs",
            "wrong_person",
            "Tohle nemám na starosti, napište prosím kolegyni na novakova@firma.example.",
        ),
        (
            "cs",
            "interested",
            "Zní to zajímavě, můžeme si domluvit schůzku příští týden?",
        ),
        (
            "cs",
            "interested",
            "Pošlete nám prosím cenovou nabídku pro 60 zaměstnanců.",
        ),
        ("cs", "interested", "Rádi bychom vyzkoušeli zkušební verzi."),
        ("cs", "question", "Podporujete napojení na Pohodu?"),
        (
            "cs",
            "question",
            "Kolik stojí licence na jednoho uživatele?",
        ),
        ("cs", "question", "Jak dlouho trvá implementace?"),
        (
            "cs",
            "not_now",
            "Momentálně to neřešíme, ozvěte se prosím na podzim.",
        ),
        (
            "cs",
            "not_now",
            "Teď na to nemáme čas, zkuste to znovu příští rok.",
        ),
        (
            "cs",
            "not_now",
            "Je na to ještě brzy, vraťme se k tomu po novém roce.",
        ),
        ("cs", "not_interested", "Děkuji, ale nemáme zájem."),
        (
            "cs",
            "not_interested",
            "Tohle nepotřebujeme, máme vlastní řešení.",
        ),
        (
            "cs",
            "not_interested",
            "Jsme spokojeni se současným dodavatelem.",
        ),
        (
            "cs",
            "wrong_person",
            "Jsme dceřiná společnost, o nákupech rozhoduje mateřská firma.",
        ),
        ("cs", "not_now", "Máme stop na nákupy do konce roku."),
        (
            "cs",
            "not_interested",
            "Zůstaneme u stávajícího dodavatele.",
        ),
    ];
    let mut wrong = Vec::new();
    for (lang, want, body) in cases {
        let c = classified(body, "Re: your message", false);
        if c.intent.as_str() != *want {
            wrong.push(format!(
                "[{lang}] expected {want}, got {}: {body}",
                c.intent.as_str()
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Declines, negated requests and requests put off to a later time in the same six languages
/// are never handed over as interest (sentences written for this test).
#[test]
fn further_language_refusals_and_deferrals_are_never_interest() {
    let cases = [
        "Nie chcemy żadnego demo, dziękuję.",
        "Nie jestem zainteresowany prezentacją.",
        "Chętnie porozmawiamy, ale dopiero w przyszłym roku.",
        "Proszę o ofertę w przyszłym roku, teraz nie mamy budżetu.",
        "Vi vill inte ha någon demo, tack.",
        "Vi är inte intresserade av ett möte.",
        "Boka gärna ett möte med oss efter sommaren.",
        "Vi er ikke interesserede i et møde.",
        "Send gerne et tilbud til næste år.",
        "Vi ønsker ikke noe møte.",
        "Vi kan gjerne ta et møte til høsten.",
        "En ole kiinnostunut demosta.",
        "Emme halua tarjousta, kiitos.",
        "Voisimme sopia demon ensi vuonna.",
        "O ukázku zájem nemáme.",
        "Nechceme žádnou nabídku.",
        "Rádi bychom viděli ukázku, ale až příští rok.",
    ];
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|body| {
            let got = classified(body, "Re: your message", false).intent;
            (got.as_str() == "interested").then(|| format!("interested: {body}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Opt-outs in the same six languages written as a person writes them ("don't write to me
/// again", "I don't want any more e-mails from you"): always suppressed (own sentences).
#[test]
fn further_language_opt_outs_are_suppressed() {
    let cases = [
        "Skriv inte till mig igen.",
        "Sluta mejla mig.",
        "Kontakta mig inte mer.",
        "Skriv ikke til mig igen.",
        "Stop med at skrive til mig.",
        "Ikke skriv til meg igjen.",
        "Slutt å sende meg e-post.",
        "Älkää kirjoittako minulle enää.",
        "Lopettakaa viestien lähettäminen.",
        "Proszę do mnie więcej nie pisać.",
        "Proszę więcej się ze mną nie kontaktować.",
        "Už mi nepište.",
        "Nechci od vás dostávat další e-maily.",
    ];
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|body| {
            let got = classified(body, "Re: your message", false).intent;
            (!["unsubscribe", "complaint"].contains(&got.as_str()))
                .then(|| format!("{}: {body}", got.as_str()))
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}
