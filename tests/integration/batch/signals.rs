//! Runs stopped part-way: `kill -9` leaves no partial output, SIGINT and SIGTERM write an
//! interrupted manifest and keep what is done, a rerun finishes.

use super::*;

#[test]
fn kill_9_in_the_middle_of_a_batch_leaves_no_partial_output_and_a_rerun_completes() {
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let docs: Vec<(String, String)> =
        (0..4).flat_map(|k| few_fixtures(5).into_iter().map(move |(n, t)| (format!("c{k}/{n}"), t))).collect();
    write_corpus(src.path(), &docs);
    let mut child = annotate().arg(src.path()).arg("--out").arg(out.path()).args(["--batch-docs", "2", "-q"]).spawn().unwrap();
    // Kill it once a few documents are written, well before the 20 are done.
    let deadline = std::time::Instant::now() + Duration::from_secs(600);
    while outputs(out.path()).keys().filter(|k| k.ends_with(".json")).count() < 4 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let written = outputs(out.path());
    let done = written.keys().filter(|k| k.ends_with(".json")).count();
    assert!(done < 20, "the run finished before it was killed");
    for (name, bytes) in &written {
        let stem = name.trim_end_matches(".ann").trim_end_matches(".json");
        let text = Text::new(std::fs::read_to_string(src.path().join(format!("{stem}.txt"))).unwrap());
        if name.ends_with(".json") {
            let json: JsonDocument = serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{name} is partial: {e}"));
            assert_eq!(json.chars, text.len_chars());
            assert!(written.contains_key(&format!("{stem}.ann")), "{name} without its .ann");
        } else {
            let ann = String::from_utf8(bytes.clone()).unwrap();
            whosaid::formats::brat::parse_ann(&text, &ann, std::path::Path::new(name)).unwrap_or_else(|e| panic!("{name} is partial: {e}"));
        }
    }

    let m = annotate_into(src.path(), out.path(), &["--batch-docs", "2", "-q"]);
    assert_eq!(m.counts.up_to_date, done);
    assert_eq!(m.counts.annotated, 20 - done);
    assert_eq!(outputs(out.path()).len(), 40);
}

/// Twenty documents (the fixtures, four times), for runs that are stopped part-way.
fn twenty_documents() -> Vec<(String, String)> {
    (0..4).flat_map(|k| few_fixtures(5).into_iter().map(move |(n, t)| (format!("c{k}/{n}"), t))).collect()
}

/// Sends a signal to a child process.
fn signal(child: &std::process::Child, name: &str) {
    let status = std::process::Command::new("kill").arg(format!("-{name}")).arg(child.id().to_string()).status().unwrap();
    assert!(status.success());
}

/// Waits until `done()` holds (or ten minutes pass).
fn wait_until(done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(600);
    while !done() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits for a child with a time limit; returns its exit status code.
fn wait_for(child: &mut std::process::Child, limit: Duration) -> Option<i32> {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("still running {limit:?} after the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The complete lines of the JSON Lines output being written (its temporary file) in `dir`.
fn lines_in_progress(dir: &std::path::Path) -> usize {
    temp_files(dir).iter().map(|t| std::fs::read(t).map(|b| b.iter().filter(|&&c| c == b'\n').count()).unwrap_or(0)).sum()
}

#[test]
fn sigint_stops_the_run_writes_an_interrupted_manifest_and_exits_130() {
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    write_corpus(src.path(), &twenty_documents());
    let mut child = annotate().arg(src.path()).arg("--out").arg(out.path()).args(["--batch-docs", "2", "-q"]).spawn().unwrap();
    wait_until(|| outputs(out.path()).keys().filter(|k| k.ends_with(".json")).count() >= 4);
    signal(&child, "INT");
    assert_eq!(wait_for(&mut child, Duration::from_secs(120)), Some(130));

    let done = outputs(out.path()).keys().filter(|k| k.ends_with(".json")).count();
    assert!(done < 20, "the run finished before the signal");
    let m = manifest(&out.path().join("whosaid-run.json"));
    assert!(m.interrupted);
    assert_eq!((m.counts.annotated, m.counts.documents), (done, done));
    assert!(temp_files(out.path()).is_empty(), "{:?}", temp_files(out.path()));
    let again = annotate_into(src.path(), out.path(), &["--batch-docs", "2", "-q"]);
    assert!(!again.interrupted);
    assert_eq!((again.counts.up_to_date, again.counts.annotated), (done, 20 - done));
}

/// The twenty documents as `DIR/in.jsonl`, with `DIR/res/` made for the output
/// `DIR/res/out.jsonl`: (input, output folder, output).
fn twenty_as_jsonl(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let input = dir.join("in.jsonl");
    let docs = twenty_documents();
    let pairs: Vec<(&str, &str)> = docs.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    jsonl_file(&input, &pairs);
    let res = dir.join("res");
    std::fs::create_dir(&res).unwrap();
    let output = res.join("out.jsonl");
    (input, res, output)
}

#[test]
fn sigterm_keeps_the_partial_jsonl_output_and_a_rerun_resumes_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let (input, res, output) = twenty_as_jsonl(dir.path());
    let start = || annotate().arg("--jsonl").arg(&input).arg("--jsonl-out").arg(&output).args(["--batch-docs", "2", "-q"]).spawn().unwrap();
    let mut child = start();
    wait_until(|| lines_in_progress(&res) >= 4);
    signal(&child, "TERM");
    assert_eq!(wait_for(&mut child, Duration::from_secs(120)), Some(143));

    let kept = std::fs::read_to_string(&output).expect("the partial output is kept").lines().count();
    assert!((4..20).contains(&kept), "{kept} lines");
    let m = manifest(&res.join("whosaid-run.json"));
    assert!(m.interrupted && m.counts.annotated == kept, "{:?}", m.counts);
    assert!(temp_files(&res).is_empty(), "{:?}", temp_files(&res));

    let (o, err) = run(annotate().arg("--jsonl").arg(&input).arg("--jsonl-out").arg(&output).args(["--batch-docs", "2", "-q"]));
    assert!(o.status.success(), "{err}");
    let m = manifest(&res.join("whosaid-run.json"));
    assert_eq!((m.counts.up_to_date, m.counts.annotated), (kept, 20 - kept));
    assert_eq!(std::fs::read_to_string(&output).unwrap().lines().count(), 20);
}

#[test]
fn a_second_signal_exits_at_once_and_a_rerun_removes_the_stale_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let (input, res, output) = twenty_as_jsonl(dir.path());
    let mut child = annotate().arg("--jsonl").arg(&input).arg("--jsonl-out").arg(&output).args(["--batch-docs", "4", "-q"]).spawn().unwrap();
    wait_until(|| lines_in_progress(&res) >= 4);
    signal(&child, "INT");
    std::thread::sleep(Duration::from_millis(100));
    signal(&child, "INT");
    assert_eq!(wait_for(&mut child, Duration::from_secs(10)), Some(130));
    // Gone at once: no manifest, no output, only the temporary file.
    assert!(!res.join("whosaid-run.json").exists() && !output.exists());
    let partial = lines_in_progress(&res);
    assert!(partial >= 4 && temp_files(&res).len() == 1);

    let (o, err) = run(annotate().arg("--jsonl").arg(&input).arg("--jsonl-out").arg(&output).args(["--batch-docs", "4", "-q"]));
    assert!(o.status.success(), "{err}");
    assert!(temp_files(&res).is_empty(), "{:?}", temp_files(&res));
    let m = manifest(&res.join("whosaid-run.json"));
    assert_eq!(m.counts.up_to_date, partial, "the rerun did not resume from the lines the stopped run had written");
    assert_eq!(std::fs::read_to_string(&output).unwrap().lines().count(), 20);
}
