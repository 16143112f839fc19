use super::*;
use super::data::is_heldout;
use crate::annotation::Label;
use crate::document::Span;
use crate::mentions::{test_doc, View};
use crate::ranker::candidates::{sentence_paragraphs, window, Candidate};

/// A tiny BERT (1 layer, 32 wide) with the shipped model's tokenizer, random weights:
/// enough to check that training runs, the loss falls and a saved ranker reloads.
fn tiny_base(dir: &Path) -> PathBuf {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/whosaid-ner-minilm");
    let base = dir.join("base");
    std::fs::create_dir_all(&base).unwrap();
    let mut config = model::read_json(&shipped.join("config.json")).unwrap();
    for (k, v) in [("hidden_size", 32), ("num_hidden_layers", 1), ("num_attention_heads", 2), ("intermediate_size", 64)] {
        config[k] = serde_json::Value::from(v);
    }
    std::fs::write(base.join("config.json"), serde_json::to_vec(&config).unwrap()).unwrap();
    std::fs::copy(shipped.join("tokenizer.json"), base.join("tokenizer.json")).unwrap();
    tch::manual_seed(3);
    let net = RankerNet::new(&model::bert_config(&base, &config).unwrap(), 16);
    net.save_weights(&base.join("model.safetensors"), false).unwrap();
    base
}

/// Writes `X.txt`, a gold `X.ann` (one quote, its source) and an entities `X.ann`.
fn write_doc(gold: &Path, ents: &Path, stem: &str, text: &str, quote: &str, source: &str, names: &[(&str, &str)]) {
    let at = |s: &str| {
        let b = text.find(s).unwrap();
        let c = text[..b].chars().count();
        (c, c + s.chars().count())
    };
    std::fs::write(gold.join(format!("{stem}.txt")), text).unwrap();
    let (qa, qb) = at(quote);
    let (sa, sb) = at(source);
    std::fs::write(
        gold.join(format!("{stem}.ann")),
        format!("T1\tSRC {sa} {sb}\t{source}\nT2\tQUOTE {qa} {qb}\t{quote}\nR1\tSpeaker Arg1:T2 Arg2:T1\n"),
    )
    .unwrap();
    let mut ann = String::new();
    for (i, (name, label)) in names.iter().enumerate() {
        let (a, b) = at(name);
        ann += &format!("T{}\t{label} {a} {b}\t{name}\n", i + 1);
    }
    std::fs::write(ents.join(format!("{stem}.ann")), ann).unwrap();
}

fn config(dir: &Path, base: PathBuf, epochs: usize) -> TrainConfig {
    TrainConfig {
        gold: dir.join("gold"),
        entities: dir.join("ents"),
        base,
        out: dir.join("out"),
        holdout_since: Some("2016-08".into()),
        epochs,
        batch_size: 2,
        lr: 1e-3,
        head_lr: 1e-2,
        warmup: 0.0,
        weight_decay: 0.0,
        seed: 5,
        max_pieces: 48,
        quote_edge: 4,
        head_hidden: 16,
        freeze_layers: 0,
        max_minutes: None,
        max_steps: None,
        limit: None,
        fp16: false,
        name: "test-ranker".into(),
        version: "0".into(),
        command: "test".into(),
    }
}

fn corpus(dir: &Path) {
    let (gold, ents) = (dir.join("gold"), dir.join("ents"));
    std::fs::create_dir_all(&gold).unwrap();
    std::fs::create_dir_all(&ents).unwrap();
    let docs = [
        ("a_2016-01-02_x", "Nora Vale met Otto Rask. \"The bridge opens in May,\" Vale said.", "\"The bridge opens in May,\"", "Vale", vec![("Nora Vale", "PER"), ("Otto Rask", "PER"), ("Vale", "PER")]),
        ("a_2016-02-03_x", "Pia Holm visited Kew Bank. \"Rates will fall soon,\" Holm told the bank.", "\"Rates will fall soon,\"", "Holm", vec![("Pia Holm", "PER"), ("Kew Bank", "ORG"), ("Holm", "PER")]),
        ("a_2016-03-04_x", "Ravi Dunn spoke after Lena Park. \"We need more trains,\" he said.", "\"We need more trains,\"", "he", vec![("Ravi Dunn", "PER"), ("Lena Park", "PER")]),
        ("a_2016-09-05_x", "Sol Berg greeted Tam Reid. \"The budget is done,\" Berg said.", "\"The budget is done,\"", "Berg", vec![("Sol Berg", "PER"), ("Tam Reid", "PER"), ("Berg", "PER")]),
    ];
    for (stem, text, quote, source, names) in docs {
        write_doc(&gold, &ents, stem, text, quote, source, &names);
    }
}

#[test]
fn gold_quotes_carry_their_source_and_whether_it_is_a_name() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("g.ann");
    std::fs::write(
        &p,
        "T1\tSRC 0 4\tAnna\nT2\tQUOTE 10 20\t\"x\"\nT3\tSRC 30 32\the\nT4\tQUOTE 40 50\t\"y\"\nT5\tQUOTE 60 70\t\"z\"\n\
         R1\tSpeaker Arg1:T2 Arg2:T1\nR2\tSpeaker Arg1:T4 Arg2:T3\nA1\tPronoun T3\nA2\tPartial T2\n",
    )
    .unwrap();
    let g = read_gold(&p).unwrap();
    assert_eq!(g.len(), 3);
    assert_eq!((g[0].source, g[0].named), (Some(Span::new(0, 4)), true));
    assert_eq!((g[1].source, g[1].named), (Some(Span::new(30, 32)), false));
    assert_eq!((g[2].source, g[2].named), (None, false));
}

#[test]
fn a_malformed_gold_line_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("g.ann");
    std::fs::write(&p, "T1\tQUOTE 0 4\tabcd\nT2\tSRC x y\tzz\n").unwrap();
    let e = read_gold(&p).unwrap_err().to_string();
    assert!(e.contains("g.ann:2"), "{e}");
}

#[test]
fn a_person_inside_the_source_is_preferred_to_its_organisation() {
    let text = "\"Taxes rise,\" said Ed Moss of Lark Bank.";
    let (t, mut ann) = test_doc(text, &[("Ed Moss", Label::PER), ("Lark Bank", Label::ORG)]);
    ann.add_span(Label::QUOTE, Span::new(0, 13), None);
    let view = View::new(&t, &ann);
    let win = window(&view, &sentence_paragraphs(&view), Span::new(0, 13));
    let cands: Vec<&Candidate> = win.candidates.iter().collect();
    let src_start = text.find("Ed Moss").unwrap();
    let pos = positives(&view, &cands, Span::new(src_start, text.len() - 1));
    assert_eq!(pos.iter().map(|&i| t.get(cands[i].span).unwrap()).collect::<Vec<_>>(), vec!["Ed Moss"]);
}

#[test]
fn a_relative_who_source_stands_for_the_mention_before_it() {
    let text = "It was Ada Fox, who said \"the plan works\" on Monday.";
    let (t, mut ann) = test_doc(text, &[("Ada Fox", Label::PER)]);
    let qs = text.find('"').unwrap();
    let q = Span::new(qs, text.rfind('"').unwrap() + 1);
    ann.add_span(Label::QUOTE, q, None);
    let view = View::new(&t, &ann);
    let win = window(&view, &sentence_paragraphs(&view), q);
    let cands: Vec<&Candidate> = win.candidates.iter().collect();
    let who = text.find("who").unwrap();
    let pos = positives(&view, &cands, Span::new(who, who + 3));
    assert_eq!(pos.iter().map(|&i| t.get(cands[i].span).unwrap()).collect::<Vec<_>>(), vec!["Ada Fox"]);
}

#[test]
fn documents_are_held_out_by_the_month_in_their_name() {
    assert!(is_heldout("nyt_2016-08-01_title", Some("2016-08")));
    assert!(is_heldout("nyt_2016-09-30_title", Some("2016-08")));
    assert!(!is_heldout("nyt_2016-07-31_title", Some("2016-08")));
    assert!(!is_heldout("undated", Some("2016-08")));
    assert!(!is_heldout("nyt_2016-09-30_title", None));
}

#[test]
fn training_lowers_the_loss_and_the_saved_ranker_reloads_to_the_same_scores() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path());
    let base = tiny_base(dir.path());
    let report = train(config(dir.path(), base, 12), |_| {}).unwrap();
    assert_eq!((report.counts.documents, report.counts.heldout_documents), (4, 1));
    assert_eq!((report.counts.train_examples, report.counts.heldout_examples), (3, 1));
    let losses: Vec<f64> = report.epochs.iter().map(|e| e.train_loss).collect();
    assert!(losses.last().unwrap() < &(losses[0] * 0.7), "loss did not fall: {losses:?}");
    for f in ["config.json", "tokenizer.json", "model.safetensors", "MODEL_CARD.md", "train-log.jsonl"] {
        assert!(dir.path().join("out").join(f).is_file(), "{f} missing");
    }

    // Saving and loading keep the scores exactly (fp32).
    let ranker = Ranker::load(&dir.path().join("out")).unwrap();
    let text = "Una Lind met Vic Orr. \"The road is closed,\" Lind said.";
    let (t, mut ann) = test_doc(text, &[("Una Lind", Label::PER), ("Vic Orr", Label::PER), ("Lind", Label::PER)]);
    let qs = text.find('"').unwrap();
    let q = Span::new(qs, text.rfind('"').unwrap() + 1);
    ann.add_span(Label::QUOTE, q, None);
    let view = View::new(&t, &ann);
    let first = ranker.rank(&view, q).unwrap();
    assert_eq!(first.candidates.len(), 3);
    let total: f32 = first.nobody + first.candidates.iter().map(|c| c.1).sum::<f32>();
    assert!((total - 1.0).abs() < 1e-4);
    ranker.net().save_weights(&dir.path().join("out/model.safetensors"), false).unwrap();
    let again = Ranker::load(&dir.path().join("out")).unwrap().rank(&view, q).unwrap();
    assert_eq!(first, again);
}

#[test]
fn the_output_directory_may_not_be_an_input() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path());
    let mut cfg = config(dir.path(), dir.path().join("base"), 1);
    cfg.out = dir.path().join("gold");
    let e = train(cfg, |_| {}).unwrap_err().to_string();
    assert!(e.contains("input directory"), "{e}");
}
