//! `annotate` with the shipped model on real text: exact offsets, long documents, bad
//! input, atomic outputs.

use assert_cmd::Command;
use crate::util::{fixture_docs, model_dir};
use whosaid::formats::{brat, json::JsonDocument};
use whosaid::ner::Precision;
use whosaid::pipeline::Pipeline;
use whosaid::{Document, Label};

fn annotate(texts: &[&str]) -> Vec<Document> {
    let pipeline = Pipeline::load(&model_dir(), Precision::Fp32).expect("model loads");
    let mut docs: Vec<Document> = texts.iter().enumerate().map(|(i, t)| Document::new(format!("d{i}"), *t)).collect();
    pipeline.annotate(&mut docs).expect("annotates");
    docs
}

fn entity_texts(doc: &Document) -> Vec<(Label, String)> {
    doc.ann.entities().map(|e| (e.label, doc.text.get(e.span).unwrap().to_string())).collect()
}

#[test]
fn every_emitted_span_slices_the_text_exactly_on_all_fixtures() {
    let pipeline = Pipeline::load(&model_dir(), Precision::Fp32).unwrap();
    let mut docs: Vec<Document> = fixture_docs().into_iter().map(|(_, d)| Document::new(d.id, d.text.as_str())).collect();
    pipeline.annotate(&mut docs).unwrap();
    let mut total = 0;
    for doc in &docs {
        for e in doc.ann.entities() {
            let s = doc.text.get(e.span).expect("span inside the text");
            assert!(!s.is_empty(), "{}: empty span {:?}", doc.id, e.span);
            assert_eq!(s.trim(), s, "{}: span {:?} has outer whitespace", doc.id, e.span);
            total += 1;
        }
        // The written .ann reads back against the same text (the reader checks every text field).
        let ann = brat::to_ann_string(&doc.text, &doc.ann);
        let back = brat::parse_ann(&doc.text, &ann, std::path::Path::new("x.ann")).expect("valid brat");
        assert_eq!(back.spans.len(), doc.ann.spans.len());
        // JSON carries the same slices.
        let j = JsonDocument::from_document(doc, pipeline.provenance());
        for e in &j.entities {
            let chars: String = doc.text.as_str().chars().skip(e.start).take(e.end - e.start).collect();
            assert_eq!(chars, e.text);
        }
    }
    assert!(total > 300, "only {total} entities on the fixtures");
}

#[test]
fn curly_quotes_accents_emoji_and_crlf_do_not_shift_offsets() {
    let plain = "Chief executive John Adler said the Care Quality Commission praised Leicester.";
    let fancy = "😀 “Chief executive John Adler said the Care Quality Commission praised Leicester.”\r\nZoë Müller agreed.";
    let docs = annotate(&[plain, fancy]);
    let a = entity_texts(&docs[0]);
    let b = entity_texts(&docs[1]);
    assert!(a.iter().any(|(l, t)| *l == Label::PER && t == "John Adler"), "{a:?}");
    for e in &a {
        assert!(b.contains(e), "{e:?} lost or shifted in the text with emoji/CRLF: {b:?}");
    }
    for e in docs[1].ann.entities() {
        let s = docs[1].text.get(e.span).unwrap();
        assert!(!s.contains('\r') && !s.contains('“') && !s.starts_with(' '), "{s:?}");
    }
}

#[test]
fn a_document_longer_than_512_word_pieces_is_annotated_to_its_end() {
    // One long "sentence" (no breaks), well over 512 word pieces, a name at the very end.
    let filler = "and the committee met again in the afternoon to discuss the budget ".repeat(80);
    let text = format!("Angela Merkel spoke {filler} before Tony Blair replied");
    let docs = annotate(&[&text]);
    let ents = entity_texts(&docs[0]);
    assert!(ents.iter().any(|(l, t)| *l == Label::PER && t == "Tony Blair"), "end of the document not tagged: {:?}", ents);
    assert!(ents.iter().any(|(l, t)| *l == Label::PER && t == "Angela Merkel"));
}

#[test]
fn people_spans_leave_honorifics_and_possessives_out() {
    let docs = annotate(&["Mr Tony Blair’s spokesman said Dr Paul Lelliott would speak."]);
    let ents = entity_texts(&docs[0]);
    assert!(ents.contains(&(Label::PER, "Tony Blair".into())), "{ents:?}");
    assert!(ents.contains(&(Label::PER, "Paul Lelliott".into())), "{ents:?}");
}

#[test]
fn bad_documents_are_reported_one_line_each_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("good.txt"), "Tony Blair visited Paris.").unwrap();
    std::fs::write(p.join("empty.txt"), "").unwrap();
    std::fs::write(p.join("binary.txt"), b"abc\0def").unwrap();
    std::fs::write(p.join("latin1.txt"), b"caf\xe9 au lait").unwrap();
    let out = Command::cargo_bin("whosaid").unwrap().arg("annotate").arg("--model").arg(model_dir()).arg(p).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for (name, reason) in [("empty.txt", "empty file"), ("binary.txt", "binary file"), ("latin1.txt", "not valid UTF-8")] {
        let line = err.lines().find(|l| l.starts_with("whosaid:") && l.contains(name)).unwrap_or_else(|| panic!("no line for {name}: {err}"));
        assert!(line.contains(reason), "{line}");
    }
    assert!(p.join("good.ann").is_file() && p.join("good.json").is_file());
    assert!(!p.join("empty.ann").exists());
    let leftovers: Vec<_> = std::fs::read_dir(p).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn a_missing_model_directory_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "Tony Blair visited Paris.").unwrap();
    let out = Command::cargo_bin("whosaid")
        .unwrap()
        .args(["annotate", "--model", "/nonexistent/model"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/model"), "{err}");
}

#[test]
fn outputs_mirror_the_input_tree_under_out() {
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(src.path().join("news")).unwrap();
    std::fs::write(src.path().join("news/a.txt"), "Tony Blair visited Paris.").unwrap();
    Command::cargo_bin("whosaid")
        .unwrap()
        .arg("annotate")
        .arg("--model")
        .arg(model_dir())
        .arg("--out")
        .arg(out.path())
        .arg(src.path())
        .assert()
        .success();
    let j = JsonDocument::read(&out.path().join("news/a.json")).unwrap();
    assert_eq!(j.document, "news/a");
    assert_eq!(j.sha256.len(), 64);
    assert!(j.entities.iter().any(|e| e.text == "Tony Blair" && e.start == 0 && e.end == 10));
    assert!(!src.path().join("news/a.ann").exists());
}

/// A copy of the shipped model in a temporary folder: `config.json` edited by `edit`,
/// the tokenizer and weights linked (or copied when `copy_weights`, to corrupt them).
fn model_copy(edit: impl FnOnce(&mut serde_json::Value), copy_weights: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = model_dir();
    let mut config: serde_json::Value = serde_json::from_slice(&std::fs::read(src.join("config.json")).unwrap()).unwrap();
    edit(&mut config);
    std::fs::write(dir.path().join("config.json"), serde_json::to_vec_pretty(&config).unwrap()).unwrap();
    std::os::unix::fs::symlink(src.join("tokenizer.json"), dir.path().join("tokenizer.json")).unwrap();
    if copy_weights {
        std::fs::copy(src.join("model.safetensors"), dir.path().join("model.safetensors")).unwrap();
    } else {
        std::os::unix::fs::symlink(src.join("model.safetensors"), dir.path().join("model.safetensors")).unwrap();
    }
    dir
}

/// Runs `annotate --model MODEL` on one short document; returns (exit code, stderr) and
/// checks that nothing was written.
fn annotate_with_model(model: &std::path::Path) -> (Option<i32>, String) {
    let docs = tempfile::tempdir().unwrap();
    std::fs::write(docs.path().join("a.txt"), "Mary Okafor, the mayor of Leeds, said: \"We will open the bridge.\"").unwrap();
    let out = Command::cargo_bin("whosaid").unwrap().arg("annotate").arg("--model").arg(model).arg(docs.path()).output().unwrap();
    assert!(!docs.path().join("a.ann").exists() || out.status.code() == Some(0), "outputs written with a refused model");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_model_with_corrupt_weights_is_refused_at_load_in_one_line() {
    let model = model_copy(|_| {}, true);
    let file = model.path().join("model.safetensors");
    let mut bytes = std::fs::read(&file).unwrap();
    // 64 bytes of 0xFF over a weight every token uses (the embeddings' LayerNorm).
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + header_len]).unwrap();
    let start = header["bert.embeddings.LayerNorm.weight"]["data_offsets"][0].as_u64().unwrap() as usize + 8 + header_len;
    bytes[start..start + 64].fill(0xFF);
    std::fs::write(&file, bytes).unwrap();
    let (code, err) = annotate_with_model(model.path());
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("NaN or infinite") && err.contains("bert.embeddings.LayerNorm.weight"), "{err}");
}

#[test]
fn a_model_whose_config_uses_fewer_layers_than_its_weights_is_refused() {
    let model = model_copy(|c| c["num_hidden_layers"] = 3.into(), false);
    let (code, err) = annotate_with_model(model.path());
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("config.json does not use") && err.contains("bert.encoder.layer.3."), "{err}");
}

#[test]
fn a_model_whose_config_asks_for_more_layers_than_its_weights_is_refused() {
    let model = model_copy(|c| c["num_hidden_layers"] = 8.into(), false);
    let (code, err) = annotate_with_model(model.path());
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("weights missing") && err.contains("bert.encoder.layer.6."), "{err}");
}

#[test]
fn a_model_config_rust_bert_cannot_build_is_one_line_not_a_panic() {
    let model = model_copy(|c| c["num_attention_heads"] = 7.into(), false);
    let (code, err) = annotate_with_model(model.path());
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cannot build") && !err.contains("panicked"), "{err}");
}

#[test]
fn format_characters_inside_a_surname_keep_one_person_who_is_the_speaker() {
    let dir = tempfile::tempdir().unwrap();
    let names = [("soft_hyphen", '\u{ad}'), ("zero_width_space", '\u{200b}'), ("zero_width_joiner", '\u{200d}')];
    for (file, cf) in names {
        let text = format!("John Smi{cf}thson said: \"We will open the new clinic in March.\"\n");
        std::fs::write(dir.path().join(format!("{file}.txt")), text).unwrap();
    }
    Command::cargo_bin("whosaid").unwrap().arg("annotate").arg("--model").arg(model_dir()).arg(dir.path()).assert().success();
    for (file, cf) in names {
        let j = JsonDocument::read(&dir.path().join(format!("{file}.json"))).unwrap();
        let people: Vec<_> = j.entities.iter().filter(|e| e.label == Label::PER).collect();
        let name = format!("John Smi{cf}thson");
        assert_eq!(people.len(), 1, "{file}: {people:?}");
        assert_eq!((people[0].text.as_str(), people[0].start, people[0].end), (name.as_str(), 0, 14), "{file}");
        assert_eq!(j.quotes.len(), 1, "{file}");
        assert_eq!(j.quotes[0].speaker.as_deref(), Some(people[0].id.as_str()), "{file}: {:?}", j.quotes[0]);
        assert_eq!(j.quotes[0].speaker_name.as_deref(), Some(name.as_str()), "{file}");
    }
}

/// An annotated document written by hand (no model): a quote with terminal escape
/// sequences, attributed to a person, in a file whose name has one too.
fn escaped_corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let text = "Ada Quist said: \"Turn \u{1b}[31mred\u{1b}[0m now.\"\n";
    let stem = "note\u{1b}]0;title\u{7}";
    std::fs::write(dir.path().join(format!("{stem}.txt")), text).unwrap();
    std::fs::write(
        dir.path().join(format!("{stem}.ann")),
        "T1\tPER 0 9\tAda Quist\nT2\tQUOTE 16 40\t\"Turn \u{1b}[31mred\u{1b}[0m now.\"\nR1\tSpeaker Arg1:T2 Arg2:T1\n",
    )
    .unwrap();
    dir
}

#[test]
fn the_quotes_table_shows_control_characters_as_escapes_even_through_a_pipe() {
    let dir = escaped_corpus();
    let out = Command::cargo_bin("whosaid").unwrap().arg("quotes").arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(!table.chars().any(|c| c.is_control() && c != '\n'), "raw control characters in:\n{table:?}");
    assert!(table.contains("Turn \\x1b[31mred\\x1b[0m now."), "{table}");
    assert!(table.contains("note\\x1b]0;title\\x07"), "{table}");
    assert!(table.contains("Ada Quist"), "{table}");
}

#[test]
fn quotes_as_csv_and_json_keep_the_exact_text() {
    let dir = escaped_corpus();
    let out = Command::cargo_bin("whosaid").unwrap().args(["quotes", "--format", "csv"]).arg(dir.path()).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout).unwrap().contains("Turn \u{1b}[31mred\u{1b}[0m now."));
    let out = Command::cargo_bin("whosaid").unwrap().args(["quotes", "--format", "json"]).arg(dir.path()).output().unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["quote"], "\"Turn \u{1b}[31mred\u{1b}[0m now.\"");
}

#[test]
fn error_lines_escape_control_characters_on_a_terminal_and_not_through_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad\u{1b}[2Jname.txt");
    std::fs::write(&bad, "Ada Quist said: \"Yes.\"\n").unwrap();
    std::fs::write(dir.path().join("bad\u{1b}[2Jname.ann"), "T1\tPER 0 99\tAda\n").unwrap();
    // Through a pipe: the name as it is (a log keeps the exact bytes).
    let out = Command::cargo_bin("whosaid").unwrap().arg("quotes").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad\u{1b}[2Jname"), "{:?}", String::from_utf8_lossy(&out.stderr));
    // On a terminal (script(1) gives the command one): escaped.
    if std::process::Command::new("script").arg("--version").output().is_err() {
        crate::util::skipped("annotate::error_lines_escape_control_characters_on_a_terminal_and_not_through_a_pipe", "its terminal half: no script(1)");
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("whosaid");
    let cmd = format!("'{}' quotes \"$WHOSAID_BAD\"", bin.display());
    let out = std::process::Command::new("script").args(["-qec", &cmd, "/dev/null"]).env("WHOSAID_BAD", &bad).output().unwrap();
    let seen = String::from_utf8_lossy(&out.stdout);
    assert!(seen.contains("bad\\x1b[2Jname"), "{seen:?}");
    assert!(!seen.contains("bad\u{1b}[2Jname"), "{seen:?}");
}

/// The `__metadata__` of a safetensors file's header (`None` when it has none).
fn safetensors_metadata(file: &std::path::Path) -> Option<serde_json::Value> {
    let bytes = std::fs::read(file).expect("the weights read");
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).expect("the header is JSON");
    header.get("__metadata__").cloned()
}

#[test]
fn the_shipped_models_have_what_hugging_face_needs_to_load_them() {
    // `from_pretrained` reads `metadata["format"]`; `AutoTokenizer` wants the two files.
    let root = model_dir().parent().expect("models/").to_path_buf();
    for name in ["whosaid-ner-minilm", "whosaid-speaker-minilm"] {
        let dir = root.join(name);
        if !dir.exists() {
            continue;
        }
        let meta = safetensors_metadata(&dir.join("model.safetensors"));
        assert_eq!(meta.and_then(|m| m.get("format").cloned()), Some(serde_json::json!("pt")), "{name}");
        for f in ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "config.json"] {
            assert!(dir.join(f).is_file(), "{name}/{f} is missing");
        }
        let tc: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("tokenizer_config.json")).expect("reads")).expect("JSON");
        assert_eq!(tc["do_lower_case"], true, "{name}: the tokenizer lower-cases (the casing bit carries case)");
    }
}

#[test]
fn weights_whosaid_writes_carry_the_format_metadata() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("w.safetensors");
    let mut named = vec![("b".to_string(), tch::Tensor::from_slice(&[1.0f32, 2.0])), ("a".to_string(), tch::Tensor::from_slice(&[3.0f32]))];
    whosaid::ner::model::write_weights(&mut named, &file).expect("writes");
    assert_eq!(safetensors_metadata(&file).and_then(|m| m.get("format").cloned()), Some(serde_json::json!("pt")));
    let back = tch::Tensor::read_safetensors(&file).expect("tch reads it back");
    let a = back.iter().find(|(n, _)| n == "a").expect("a is there");
    assert_eq!(Vec::<f32>::try_from(&a.1).expect("floats"), vec![3.0]);
}
