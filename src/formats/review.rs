//! The review loop's shared pieces: reading `X.txt` + `X.ann` pairs into [`BratPairs`],
//! the export and import formats looked up by name ([`ExportFormat`], [`ImportFormat`]),
//! writing documents back as brat pairs, and the checks every importer applies.
//!
//! Every format is a thin mapping over [`Annotations`]: export reads brat, import ends in
//! brat, and an imported document is only accepted when its `.ann` text parses back
//! with [`brat::parse_ann`] (so `whosaid eval` and `whosaid train` can read it).

use super::json::JsonDocument;
use super::{brat, write_atomic};
use crate::annotation::{Annotations, Label, RelKind};
use crate::corpus;
use crate::document::{Document, Span, Text};
use crate::error::{Error, Result};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Documents read from brat pairs, with what produced them where known.
#[derive(Debug, Default)]
pub struct BratPairs {
    pub docs: Vec<Document>,
    /// Model name and version per document id, from `X.json` beside the pair (written by
    /// `whosaid annotate`); documents without one are absent.
    pub model_versions: BTreeMap<String, String>,
}

/// What an export or import wrote, and what it had to leave out or change.
#[derive(Debug, Default)]
pub struct Written {
    pub files: Vec<PathBuf>,
    pub warnings: Vec<String>,
}

/// Options that only some export formats read.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Label Studio: `model_version` of every prediction (default: from `X.json`, else `brat`).
    pub model_version: Option<String>,
    /// HTML: the page title (default: `whosaid review`).
    pub title: Option<String>,
}

/// The formats `whosaid export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// `X.txt` + `X.ann` pairs with annotation.conf and visual.conf (brat, INCEpTION).
    Brat,
    /// tasks.json (data.text + predictions) and label-config.xml (Label Studio).
    LabelStudio,
    /// dataset.jsonl (relation project: entities + relations) and the label types (doccano).
    Doccano,
    /// corpus.conll: one `word TAG` line per token, BIO over PER/ORG/LOC/MISC/ROLE.
    Conll,
    /// quotes.csv: one row per quote with its speaker, role and organisation.
    Csv,
    /// index.html: one self-contained page to read the corpus with its annotations.
    Html,
}

impl ExportFormat {
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Brat => "brat",
            ExportFormat::LabelStudio => "label-studio",
            ExportFormat::Doccano => "doccano",
            ExportFormat::Conll => "conll",
            ExportFormat::Csv => "csv",
            ExportFormat::Html => "html",
        }
    }

    /// Writes the corpus under `out` (created if missing) in this format. A document that
    /// cannot be written fails the whole export (after the others are written); see
    /// [`ExportFormat::export_each`] to go on.
    pub fn export(self, corpus: &BratPairs, out: &Path, opts: &ExportOptions) -> Result<Written> {
        let (written, mut failed) = self.export_each(corpus, out, opts)?;
        match failed.is_empty() {
            true => Ok(written),
            false => Err(failed.remove(0)),
        }
    }

    /// [`ExportFormat::export`], with the documents that could not be written (brat: an
    /// id that is no file name here) returned one error each, the rest written. An `Err`
    /// concerns the whole export.
    pub fn export_each(self, corpus: &BratPairs, out: &Path, opts: &ExportOptions) -> Result<(Written, Vec<Error>)> {
        std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
        let whole = |w: Result<Written>| w.map(|w| (w, vec![]));
        match self {
            ExportFormat::Brat => super::brat_conf::write_corpus_each(&corpus.docs, out),
            ExportFormat::LabelStudio => whole(super::label_studio::write(corpus, out, opts)),
            ExportFormat::Doccano => whole(super::doccano::write(&corpus.docs, out)),
            ExportFormat::Conll => whole(super::conll::write(&corpus.docs, out)),
            ExportFormat::Csv => whole(super::csv::write(&corpus.docs, out)),
            ExportFormat::Html => whole(super::html::write(&corpus.docs, out, opts)),
        }
    }
}

/// The formats `whosaid import` reads back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFormat {
    /// A Label Studio JSON export (a list of tasks with annotations).
    LabelStudio,
    /// A doccano JSONL export (relation project, or sequence labelling with `label`).
    Doccano,
}

/// Options of an import.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Label Studio: for a task nobody submitted an annotation for, take its first
    /// prediction instead of skipping it.
    pub predictions: bool,
}

/// The documents of an import file, each one on its own: a bad task fails alone.
#[derive(Debug, Default)]
pub struct Imported {
    pub docs: Vec<Document>,
    /// Tasks or lines that could not be turned into a valid document.
    pub failed: Vec<Error>,
    /// Things changed or left out (swapped relation arguments, UTF-16 offsets, …).
    pub warnings: Vec<String>,
    /// Tasks skipped because nobody submitted an annotation (Label Studio), by name.
    pub unreviewed: Vec<String>,
    /// How many documents were taken from a prediction nobody reviewed.
    pub from_predictions: usize,
}

impl ImportFormat {
    pub fn name(self) -> &'static str {
        match self {
            ImportFormat::LabelStudio => "label-studio",
            ImportFormat::Doccano => "doccano",
        }
    }

    /// Reads a reviewed export. Errors here concern the whole file (unreadable, not JSON);
    /// problems of single documents are in [`Imported::failed`].
    pub fn import(self, file: &Path, opts: &ImportOptions) -> Result<Imported> {
        match self {
            ImportFormat::LabelStudio => super::label_studio::import(file, opts),
            ImportFormat::Doccano => super::doccano::import(file),
        }
    }
}

/// Reads `X.txt` and the `X.ann` beside it (given either path). `id` names the document.
/// With an `X.json` beside them whose text hash matches, span scores are taken from it
/// (by id, label and offsets) and its model name and version are returned.
pub fn read_pair(path: &Path, id: String) -> Result<(Document, Option<String>)> {
    let txt = if path.extension().is_some_and(|e| e == "ann") { path.with_extension("txt") } else { path.to_path_buf() };
    read_annotated(&txt, &txt.with_extension("ann"), id)
}

/// Where the text of `X.ann` is when no `X.txt` lies beside it (an `annotate --out`
/// folder): `TEXT_ROOT/rel.txt` when a text root is given, else the file `X.json` names
/// (`text_path`). Errors say which was tried and how to fix it.
fn text_of_orphan(ann: &Path, rel: &Path, text_root: Option<&Path>) -> Result<PathBuf> {
    if let Some(root) = text_root {
        let t = root.join(rel).with_extension("txt");
        return if t.is_file() {
            Ok(t)
        } else {
            Err(Error::input(ann, format!("no X.txt beside it, and no {} under --text-root", rel.with_extension("txt").display())))
        };
    }
    let json = ann.with_extension("json");
    let named = if json.is_file() { JsonDocument::read(&json)?.text_path } else { None };
    match named {
        Some(p) => {
            let t = super::json::resolve_text_path(&json, &p);
            if t.is_file() {
                Ok(t)
            } else {
                Err(Error::input(ann, format!("no X.txt beside it, and the text {} names ({}) is gone: give --text-root DIR (the folder annotate read)", file_name(&json), t.display())))
            }
        }
        None => Err(Error::input(ann, "no X.txt beside it and no text path in X.json: give --text-root DIR (the folder annotate read)")),
    }
}

/// Reads the text `txt` with the annotations `ann_path` (and `X.json` beside the `.ann`,
/// whose scores are kept when its hash matches the text). A text whose hash differs from
/// the one X.json recorded is refused when the two files are not side by side (the text
/// was found through X.json or `--text-root` and has changed since).
fn read_annotated(txt: &Path, ann_path: &Path, id: String) -> Result<(Document, Option<String>)> {
    let mut doc = Document::read(txt)?;
    doc.id = id;
    if !ann_path.is_file() {
        return Err(Error::input(
            &txt,
            format!("no {} beside it (run `whosaid annotate` first, or label it in brat)", file_name(&ann_path)),
        ));
    }
    let json_path = ann_path.with_extension("json");
    let beside = txt.with_extension("ann") == ann_path;
    let json = if json_path.is_file() { Some(JsonDocument::read(&json_path)?) } else { None };
    if let Some(j) = json.as_ref().filter(|j| !beside && j.sha256 != doc.sha256()) {
        return Err(Error::input(
            ann_path,
            format!("its text {} has changed since it was annotated (sha256 {} in {}, the file now hashes to {})", txt.display(), j.sha256, file_name(&json_path), doc.sha256()),
        ));
    }
    doc.ann = brat::read_ann(&doc.text, ann_path)?;
    let mut model = None;
    if let Some(json) = json {
        if json.sha256 == doc.sha256() {
            model = Some(format!("{} {}", json.provenance.model_name, json.provenance.model_version));
            for e in &json.entities {
                if let Some(s) = doc.ann.spans.iter_mut().find(|s| s.id == e.id) {
                    if s.label == e.label && s.span == (Span { start: e.start, end: e.end }) {
                        s.score = e.score;
                    }
                }
            }
        }
    }
    Ok((doc, model))
}

/// Reads every pair under `paths` (files, or directories searched recursively for
/// `*.txt`). Document ids are the paths relative to the directory given, without
/// `.txt`, their parts joined by `/` (`news/bbc_tech_360`), as `whosaid annotate` and
/// `whosaid eval` name them. Pairs that cannot be read are returned as errors; the rest
/// go on. Two files with the same id (`a/x.txt` and `b/x.txt` given as roots `a` and
/// `b`) are not merged: the second is an error naming the first. A file named `a\b.txt`
/// is the id `a\b`, not `a/b`.
pub fn read_corpus(paths: &[PathBuf]) -> (BratPairs, Vec<Error>) {
    read_corpus_with(paths, None)
}

/// `X.ann` files under the directories of `paths` with no `X.txt` beside them (an
/// `annotate --out` folder), as inputs relative to their root.
fn orphan_anns(paths: &[PathBuf]) -> Vec<corpus::Input> {
    let mut out = vec![];
    for root in paths.iter().filter(|p| p.is_dir()) {
        for entry in walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name().into_iter().flatten() {
            let p = entry.path();
            if entry.file_type().is_file() && p.extension().is_some_and(|e| e == "ann") && !p.with_extension("txt").exists() {
                if let Ok(rel) = p.strip_prefix(root) {
                    out.push(corpus::Input { path: p.to_path_buf(), rel: rel.to_path_buf() });
                }
            }
        }
    }
    out
}

/// [`read_corpus`], where an `X.ann` with no `X.txt` beside it (an `annotate --out`
/// folder) takes its text from `TEXT_ROOT/X.txt` when `text_root` is given, else from the
/// path its `X.json` recorded (checking the hash).
pub fn read_corpus_with(paths: &[PathBuf], text_root: Option<&Path>) -> (BratPairs, Vec<Error>) {
    let (mut inputs, mut errors) = corpus::discover(paths);
    inputs.extend(orphan_anns(paths));
    let mut out = BratPairs::default();
    // id -> the X.txt it was read from
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    for input in inputs {
        let rel = if input.rel.extension().is_some_and(|e| e == "ann") { input.rel.with_extension("txt") } else { input.rel };
        let parts: Vec<String> =
            rel.with_extension("").components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        let id = parts.join("/");
        let txt = if input.path.extension().is_some_and(|e| e == "ann") {
            input.path.with_extension("txt")
        } else {
            input.path.clone()
        };
        if let Some(first) = seen.get(&id) {
            if same_file(first, &txt) {
                continue; // X.txt and X.ann both given
            }
            errors.push(Error::input(
                &txt,
                format!(
                    "same document id '{id}' as {} (ids are paths relative to the folder given; give the folders' \
                     common parent instead, or export them separately)",
                    first.display()
                ),
            ));
            continue;
        }
        seen.insert(id.clone(), txt.clone());
        let ann = txt.with_extension("ann");
        let read = if txt.is_file() || !ann.is_file() {
            read_pair(&input.path, id.clone())
        } else {
            text_of_orphan(&ann, &rel, text_root).and_then(|t| read_annotated(&t, &ann, id.clone()))
        };
        match read {
            Ok((doc, model)) => {
                if let Some(m) = model {
                    out.model_versions.insert(id, m);
                }
                out.docs.push(doc);
            }
            Err(e) => errors.push(e),
        }
    }
    (out, errors)
}

/// Do two paths name the same file (after resolving links and `..`)?
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The relative path of a document id, or `None` when the id could escape the output
/// directory or name no file (empty parts, `.`, `..`, backslashes, NUL; on Windows also
/// `:`, a drive prefix). Elsewhere `:` is an ordinary character of a file name
/// (`10:30 update`).
pub fn id_path(id: &str) -> Option<PathBuf> {
    if id.len() > crate::corpus::MAX_ID_BYTES {
        return None;
    }
    let mut p = PathBuf::new();
    for part in id.split('/') {
        if part.is_empty() || part == "." || part == ".." || part.len() > crate::corpus::MAX_ID_PART_BYTES || part.contains(['\\', '\0']) || (cfg!(windows) && part.contains(':')) {
            return None;
        }
        p.push(part);
    }
    (!p.as_os_str().is_empty()).then_some(p)
}

/// `DIR/<id>.EXT`, keeping any dot inside the id (`a.b` gives `a.b.txt`).
pub fn id_file(dir: &Path, rel: &Path, ext: &str) -> PathBuf {
    let mut s = dir.join(rel).into_os_string();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// Writes a document as `DIR/<id>.txt` and `DIR/<id>.ann` (atomically, creating
/// folders) and returns both paths.
pub fn write_brat(doc: &Document, dir: &Path) -> Result<[PathBuf; 2]> {
    let rel = id_path(&doc.id)
        .ok_or_else(|| Error::Other(format!("document id '{}' cannot be used as a file name", doc.id)))?;
    let txt = id_file(dir, &rel, "txt");
    let ann = id_file(dir, &rel, "ann");
    if let Some(parent) = txt.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    write_atomic(&txt, doc.text.as_str().as_bytes())?;
    write_atomic(&ann, brat::to_ann_string(&doc.text, &doc.ann).as_bytes())?;
    Ok([txt, ann])
}

/// The display colour of a label, shared by brat's visual.conf, Label Studio, doccano
/// and the HTML page.
pub fn label_colour(label: Label) -> &'static str {
    match label {
        Label::PER => "#a6c8ff",
        Label::ORG => "#ffc870",
        Label::ROLE => "#b5e3a1",
        Label::LOC => "#e2b9f5",
        Label::MISC => "#d6d6d6",
        Label::QUOTE => "#fff2a8",
    }
}

/// The colour of a relation's arcs.
pub fn relation_colour(kind: RelKind) -> &'static str {
    match kind {
        RelKind::Speaker => "#c0392b",
        RelKind::HasRole => "#2e7d32",
        RelKind::RoleOrg => "#d35400",
    }
}

/// The name of the coreference relation that stands for `*	Equiv` groups in formats
/// that only know binary relations (Label Studio, doccano).
pub const EQUIV: &str = "Equiv";
/// The brat attribute of fragment quotes.
pub const PARTIAL: &str = "Partial";
/// brat's note type for reviewer notes.
pub const ANNOTATOR_NOTES: &str = "AnnotatorNotes";

/// Equivalence groups as chains of binary links: `[a, b, c]` gives `a→b`, `b→c`.
pub fn equiv_links(groups: &[Vec<String>]) -> Vec<(&str, &str)> {
    groups.iter().flat_map(|g| g.windows(2).map(|w| (w[0].as_str(), w[1].as_str()))).collect()
}

/// Equivalence groups from binary links: connected components, each member listed once,
/// groups and members in order of first appearance (so [`equiv_links`] round-trips).
pub fn equiv_groups(links: &[(String, String)]) -> Vec<Vec<String>> {
    let mut order: Vec<&str> = vec![];
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (a, b) in links {
        for m in [a.as_str(), b.as_str()] {
            if !index.contains_key(m) {
                index.insert(m, order.len());
                order.push(m);
            }
        }
    }
    let mut parent: Vec<usize> = (0..order.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (a, b) in links {
        let (ra, rb) = (find(&mut parent, index[a.as_str()]), find(&mut parent, index[b.as_str()]));
        if ra != rb {
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            parent[hi] = lo;
        }
    }
    let mut groups: Vec<Vec<String>> = vec![];
    let mut group_of_root: HashMap<usize, usize> = HashMap::new();
    for (i, m) in order.iter().enumerate() {
        let root = find(&mut parent, i);
        let g = *group_of_root.entry(root).or_insert_with(|| {
            groups.push(vec![]);
            groups.len() - 1
        });
        groups[g].push((*m).to_string());
    }
    groups.retain(|g| g.len() > 1);
    groups
}

/// How a relation drawn by a reviewer fits the scheme.
#[derive(Debug, PartialEq, Eq)]
pub enum ArgsFit {
    /// Arg1 and Arg2 have allowed types.
    Fits,
    /// Only the reverse direction fits (a reviewer drew the arrow backwards).
    Reversed,
    /// Neither direction fits: the reason.
    No(String),
}

/// Checks a relation's argument types against [`RelKind::allowed_args`].
pub fn args_fit(kind: RelKind, arg1: Label, arg2: Label) -> ArgsFit {
    let (a1, a2) = kind.allowed_args();
    if a1.contains(&arg1) && a2.contains(&arg2) {
        ArgsFit::Fits
    } else if a1.contains(&arg2) && a2.contains(&arg1) {
        ArgsFit::Reversed
    } else {
        let names = |ls: &[Label]| ls.iter().map(|l| l.as_str()).collect::<Vec<_>>().join("|");
        ArgsFit::No(format!("{kind} goes from {} to {}, not from {arg1} to {arg2}", names(a1), names(a2)))
    }
}

/// The check every importer ends with: the annotations, written as brat, must parse back
/// against the text unchanged. `Err` is the reader's reason.
pub fn check_brat(text: &Text, ann: &Annotations) -> std::result::Result<(), String> {
    let written = brat::to_ann_string(text, ann);
    let back = brat::parse_ann(text, &written, Path::new("imported.ann")).map_err(|e| e.to_string())?;
    let strip = |a: &Annotations| {
        let mut a = a.clone();
        a.spans.iter_mut().for_each(|s| s.score = None);
        a.relations.iter_mut().for_each(|r| r.source = None);
        a
    };
    if strip(&back) != strip(ann) {
        return Err("the annotations do not survive a brat write and read".to_string());
    }
    Ok(())
}

/// A character span from offsets a tool gave as code points, checked against the text the
/// tool says it covers. Tools whose browser side counts UTF-16 units (older Label Studio)
/// put spans after an emoji one place late; when the code-point reading does not
/// match `covered` but the UTF-16 reading does, that one is used and `Ok(Some(note))` says so.
pub fn tool_span(text: &Text, start: usize, end: usize, covered: Option<&str>) -> std::result::Result<(Span, Option<String>), String> {
    if start >= end {
        return Err(format!("empty or reversed span {start}-{end}"));
    }
    let n = text.len_chars();
    let as_chars = (end <= n).then(|| Span::new(start, end));
    let matches = |s: Span| covered.is_none_or(|c| text.get(s) == Some(c));
    if let Some(s) = as_chars.filter(|s| matches(*s)) {
        return Ok((s, None));
    }
    if let Some(c) = covered {
        if let (Ok(s), Ok(e)) = (text.utf16_to_char(start), text.utf16_to_char(end)) {
            let span = Span { start: s, end: e };
            if s < e && text.get(span) == Some(c) {
                return Ok((span, Some(format!("span {start}-{end} read as UTF-16 offsets ({s}-{e} in characters)"))));
            }
        }
    }
    match as_chars {
        None => Err(format!("span {start}-{end} is past the end of the text ({n} characters)")),
        Some(s) => Err(format!(
            "span {start}-{end} covers '{}' but the file says '{}'",
            clip(text.get(s).unwrap_or_default()),
            clip(covered.unwrap_or_default())
        )),
    }
}

/// The next free number after the highest `PREFIX<n>` id: [`crate::annotation::next_free`],
/// the one numbering of ids.
pub use crate::annotation::next_free;

/// Is `id` a brat id of the form `PREFIX` followed by digits?
pub fn is_brat_id(id: &str, prefix: char) -> bool {
    id.strip_prefix(prefix).is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// A long field shortened for a message.
pub fn clip(s: &str) -> String {
    const MAX: usize = 50;
    let one_line = s.replace(['\r', '\n'], " ");
    if one_line.chars().count() <= MAX {
        one_line
    } else {
        format!("{}…", one_line.chars().take(MAX).collect::<String>())
    }
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| p.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_could_leave_the_output_directory_have_no_path() {
        assert_eq!(id_path("news/bbc_tech_360"), Some(PathBuf::from("news/bbc_tech_360")));
        for bad in ["", "../x", "a/../../x", "/etc/passwd", "a//b", "c:\\x", "a\\b", "."] {
            assert_eq!(id_path(bad), None, "{bad}");
        }
    }

    #[test]
    #[cfg(unix)]
    fn a_colon_is_an_ordinary_character_of_an_id_outside_windows() {
        assert_eq!(id_path("news/10:30 update"), Some(PathBuf::from("news/10:30 update")));
    }

    #[test]
    fn a_dot_in_an_id_is_kept_in_the_file_name() {
        assert_eq!(id_file(Path::new("out"), Path::new("a.b"), "ann"), PathBuf::from("out/a.b.ann"));
    }

    #[test]
    fn equiv_groups_round_trip_through_chains_of_links() {
        let groups = vec![vec!["T3".to_string(), "T4".into(), "T10".into()], vec!["T1".into(), "T2".into()]];
        let links: Vec<(String, String)> =
            equiv_links(&groups).into_iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        assert_eq!(equiv_groups(&links), groups);
    }

    #[test]
    fn links_that_join_two_chains_make_one_group() {
        let l = |a: &str, b: &str| (a.to_string(), b.to_string());
        let groups = equiv_groups(&[l("T1", "T2"), l("T5", "T6"), l("T6", "T2")]);
        assert_eq!(groups, vec![vec!["T1", "T2", "T5", "T6"]]);
    }

    #[test]
    fn a_backwards_relation_is_recognised_as_reversed() {
        assert_eq!(args_fit(RelKind::Speaker, Label::QUOTE, Label::PER), ArgsFit::Fits);
        assert_eq!(args_fit(RelKind::Speaker, Label::PER, Label::QUOTE), ArgsFit::Reversed);
        assert!(matches!(args_fit(RelKind::RoleOrg, Label::PER, Label::ORG), ArgsFit::No(_)));
    }

    #[test]
    fn a_reversed_empty_or_out_of_range_span_is_refused_with_a_reason() {
        let text = Text::new("John Adler said".to_string());
        assert_eq!(tool_span(&text, 9, 4, None).unwrap_err(), "empty or reversed span 9-4");
        assert_eq!(tool_span(&text, 4, 4, None).unwrap_err(), "empty or reversed span 4-4");
        assert!(tool_span(&text, 10, 99, Some("x")).unwrap_err().contains("past the end of the text (15 characters)"));
    }

    #[test]
    fn utf16_offsets_after_an_emoji_are_recognised_by_the_covered_text() {
        let text = Text::new("😀 John Adler said".to_string());
        // Code points: John Adler is 2..12; in UTF-16 units the emoji counts twice: 3..13.
        assert_eq!(tool_span(&text, 2, 12, Some("John Adler")).unwrap(), (Span::new(2, 12), None));
        let (span, note) = tool_span(&text, 3, 13, Some("John Adler")).unwrap();
        assert_eq!(span, Span::new(2, 12));
        assert!(note.is_some());
        assert!(tool_span(&text, 4, 9, Some("John Adler")).is_err());
    }
}
