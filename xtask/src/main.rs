//! Maintenance commands for msgraph-calls, run as `cargo xtask <task>`. See CONTRIBUTING.md,
//! "When Graph changes".

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod harvest_codes;
mod import_codes;
mod spec_diff;

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  codegen [--check]                        write what build.rs generates from schema/ to
                                           target/codegen/; --check: fail when the committed
                                           snapshots of it are stale
  spec-diff [<upstream.yaml|json>]         what an upstream OpenAPI 3.0 document of Graph (by
                                           default xtask/upstream/CloudCommunications.yml) has
                                           that schema/openapi.yaml lacks or has differently,
                                           but for the differences it declares with a reason
  spec-diff --declared                     those declared differences, as schema/README.md's
                                           table
  import-codes --lang <xx> <page> [--write]
                                           compare (or, with --write, fill) the reason_<xx>
                                           column of schema/termination-codes.csv with the
                                           call end reason table of a Graph doc page
  harvest-codes <folder>                   every resultInfo in the Markdown pages under
                                           <folder> (a checkout of Graph's docs) whose
                                           pair schema/termination-codes.csv lacks, with
                                           file:line
  ci                                       run what CI runs (.ci/run)

exit status: 0 done or no difference, 1 differences or stale files, 2 bad input";

/// The generated files and the snapshot that pins each.
const SNAPSHOTS: &[(&str, &str)] = &[
    ("types.rs", "tests/snapshots/codegen__types.snap"),
    ("client.rs", "tests/snapshots/codegen__client.snap"),
    ("model.rs", "tests/snapshots/codegen__model.snap"),
    ("operations.rs", "tests/snapshots/codegen__operations.snap"),
    (
        "termination.rs",
        "tests/snapshots/codegen__termination.snap",
    ),
    (
        "termination_rules.rs",
        "tests/snapshots/codegen__termination_rules.snap",
    ),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen(&root, &args[1..]),
        Some("spec-diff") => spec_diff(&root, &args[1..]),
        Some("import-codes") => import_codes(&root, &args[1..]),
        Some("harvest-codes") => harvest_codes(&root, &args[1..]),
        Some("ci") => ci(&root, &args[1..]),
        None | Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(Status::Done)
        }
        Some(other) => Err(format!("unknown task `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(Status::Done) => ExitCode::SUCCESS,
        Ok(Status::Differs) => ExitCode::from(1),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

enum Status {
    Done,
    Differs,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// The generator's problems, one a line: how a task reports them.
fn lines(problems: &[msgraph_calls_codegen::Diagnostic]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: cannot be read: {e}", path.display()))
}

/// The `resultInfo` pairs of a docs checkout that the catalog lacks.
fn harvest_codes(root: &Path, args: &[String]) -> Result<Status, String> {
    let [folder] = args else {
        return Err("usage: cargo xtask harvest-codes <folder>".into());
    };
    let folder = Path::new(folder);
    let csv_name = "schema/termination-codes.csv";
    let table = msgraph_calls_codegen::termination::parse(&read(&root.join(csv_name))?, csv_name)
        .map_err(|problems| lines(&problems))?;
    let known: std::collections::BTreeSet<(i32, i32)> =
        table.rows.iter().map(|r| (r.code, r.subcode)).collect();
    let pages = harvest_codes::pages(folder)?;
    let (mut read_count, mut missing) = (0, std::collections::BTreeSet::new());
    for (name, path) in &pages {
        for found in harvest_codes::harvest(&read(path)?, name) {
            read_count += 1;
            if !known.contains(&(found.code, found.subcode)) {
                println!(
                    "{}:{}: {}/{} {:?}",
                    found.file,
                    found.line,
                    found.code,
                    found.subcode,
                    found.message.unwrap_or_default()
                );
                missing.insert((found.code, found.subcode));
            }
        }
    }
    println!(
        "{read_count} resultInfo in {} pages; {} pairs the catalog lacks",
        pages.len(),
        missing.len()
    );
    Ok(if missing.is_empty() {
        Status::Done
    } else {
        Status::Differs
    })
}

/// The same generator call as build.rs; only the destination differs.
fn codegen(root: &Path, args: &[String]) -> Result<Status, String> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => return Err("usage: cargo xtask codegen [--check]".into()),
    };
    let files = msgraph_calls_codegen::generate(&root.join("schema"), "schema")
        .map_err(|problems| lines(&problems))?;
    if check {
        let stale = stale_snapshots(root, &files)?;
        for (file, snapshot) in &stale {
            println!("stale: {snapshot} does not match what schema/ generates for {file}");
        }
        if stale.is_empty() {
            println!("the snapshots of the generated code are up to date");
            return Ok(Status::Done);
        }
        println!(
            "review and accept with `cargo insta review`, or `INSTA_UPDATE=always cargo test --workspace --all-features` then `git diff tests/snapshots`"
        );
        return Ok(Status::Differs);
    }
    let out = root.join("target").join("codegen");
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    for file in files {
        let path = out.join(file.name);
        std::fs::write(&path, file.contents)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(Status::Done)
}

/// The generated files whose snapshot holds other content, with that snapshot's path.
fn stale_snapshots(
    root: &Path,
    files: &[msgraph_calls_codegen::GeneratedFile],
) -> Result<Vec<(&'static str, &'static str)>, String> {
    let mut stale = Vec::new();
    for (name, snapshot) in SNAPSHOTS {
        let generated = files
            .iter()
            .find(|f| f.name == *name)
            .ok_or_else(|| format!("the generator produced no {name}"))?;
        let pinned = read(&root.join(snapshot)).ok();
        let matches = pinned
            .as_deref()
            .and_then(snapshot_body)
            .is_some_and(|body| body.trim_end() == generated.contents.trim_end());
        if !matches {
            stale.push((*name, *snapshot));
        }
    }
    Ok(stale)
}

/// The content of an insta snapshot file: what follows its `---` header.
fn snapshot_body(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    Some(&rest[end + 5..])
}

fn spec_diff(root: &Path, args: &[String]) -> Result<Status, String> {
    let local = spec_diff::load(
        &read(&root.join("schema/openapi.yaml"))?,
        "schema/openapi.yaml",
    )?;
    let (declared, problems) = spec_diff::declared::all(&local);
    if let [flag] = args {
        if flag == "--declared" {
            for problem in &problems {
                eprintln!("{problem}");
            }
            print!("{}", spec_diff::declared::markdown(&declared));
            return Ok(if problems.is_empty() {
                Status::Done
            } else {
                Status::Differs
            });
        }
    }
    let upstream_path = match args {
        [] => root
            .join("xtask/upstream/CloudCommunications.yml")
            .to_string_lossy()
            .into_owned(),
        [path] => path.clone(),
        _ => {
            return Err(
                "usage: cargo xtask spec-diff [<upstream OpenAPI 3.0 document> | --declared]"
                    .into(),
            )
        }
    };
    let upstream = spec_diff::load(&read(Path::new(&upstream_path))?, &upstream_path)?;
    let found = spec_diff::differences(&local, &upstream);
    for difference in &found {
        println!("{difference}");
    }
    if found.is_empty() {
        println!(
            "schema/openapi.yaml agrees with {upstream_path}, but for its {} declared difference(s)",
            declared.len()
        );
        Ok(Status::Done)
    } else {
        println!(
            "{} difference(s) not declared ({} declared)",
            found.len(),
            declared.len()
        );
        Ok(Status::Differs)
    }
}

fn import_codes(root: &Path, args: &[String]) -> Result<Status, String> {
    let usage = "usage: cargo xtask import-codes --lang <xx> <page> [--write]";
    let mut lang = None;
    let mut page = None;
    let mut write = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--lang" => lang = Some(rest.next().ok_or(usage)?.clone()),
            "--write" => write = true,
            _ if page.is_none() && !arg.starts_with("--") => page = Some(arg.clone()),
            _ => return Err(usage.into()),
        }
    }
    let (Some(lang), Some(page)) = (lang, page) else {
        return Err(usage.into());
    };
    let csv_path = root.join("schema/termination-codes.csv");
    let csv_name = "schema/termination-codes.csv";
    let rows =
        import_codes::parse_page(&read(Path::new(&page))?, &page).map_err(|p| p.join("\n"))?;
    let outcome = import_codes::compare(&read(&csv_path)?, csv_name, &lang, &rows)?;
    for line in outcome.fixable.iter().chain(&outcome.manual) {
        println!("{line}");
    }
    if write && !outcome.fixable.is_empty() {
        import_codes::validate(&outcome.updated, csv_name).map_err(|problems| {
            format!(
                "not written, the result would not build:\n{}",
                problems.join("\n")
            )
        })?;
        std::fs::write(&csv_path, &outcome.updated)
            .map_err(|e| format!("cannot write {csv_name}: {e}"))?;
        println!("wrote {csv_name}; review it with `git diff` and the snapshot tests");
    } else if !outcome.fixable.is_empty() {
        println!("nothing written: run again with --write to apply the changes above");
    }
    let unresolved = outcome.manual.len() + if write { 0 } else { outcome.fixable.len() };
    if unresolved == 0 {
        if outcome.fixable.is_empty() {
            println!("reason_{lang} agrees with {page}");
        }
        Ok(Status::Done)
    } else {
        Ok(Status::Differs)
    }
}

fn ci(root: &Path, args: &[String]) -> Result<Status, String> {
    if !args.is_empty() {
        return Err("usage: cargo xtask ci (it takes no arguments: it runs .ci/run)".into());
    }
    let status = Command::new("bash")
        .arg(root.join(".ci/run"))
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run .ci/run: {e}"))?;
    if status.success() {
        Ok(Status::Done)
    } else {
        Err(format!(".ci/run failed ({status})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_snapshots_match_the_schema() {
        let root = workspace_root();
        let files = msgraph_calls_codegen::generate(&root.join("schema"), "schema").unwrap();
        assert_eq!(
            stale_snapshots(&root, &files).unwrap(),
            Vec::<(&str, &str)>::new()
        );
    }

    #[test]
    fn a_new_call_state_in_schema_makes_the_model_snapshot_stale() {
        let root = workspace_root();
        let spec = read(&root.join("schema/openapi.yaml")).unwrap();
        let edited = spec.replacen(
            "        - terminated\n",
            "        - terminated\n        - parked\n",
            1,
        );
        assert_ne!(spec, edited);
        let mut files = msgraph_calls_codegen::generate_from(
            &edited,
            "schema/openapi.yaml",
            &read(&root.join("schema/termination-codes.csv")).unwrap(),
            "schema/termination-codes.csv",
        )
        .unwrap();
        files.push(
            msgraph_calls_codegen::rules::generate(
                &read(&root.join("schema/termination-rules.csv")).unwrap(),
                "schema/termination-rules.csv",
                &read(&root.join("schema/sip-responses.csv")).unwrap(),
                "schema/sip-responses.csv",
            )
            .unwrap(),
        );
        assert!(files[2].contents.contains("Parked"));
        let stale = stale_snapshots(&root, &files).unwrap();
        assert_eq!(stale, [("model.rs", "tests/snapshots/codegen__model.snap")]);
    }

    #[test]
    fn snapshot_bodies_are_read_after_the_header() {
        assert_eq!(snapshot_body("---\nsource: x\n---\nbody\n"), Some("body\n"));
        assert_eq!(snapshot_body("no header"), None);
    }
}
