//! Text that reaches a terminal, a file system or a parser: paths that are
//! not UTF-8, a standard output or error that cannot be written, names full
//! of terminal control sequences or of characters XML forbids, numbers at
//! the ends of the floating-point range, and inputs far too long to echo.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::util::{cmd, fail, refs, root, says, stderr, stdout, succeed, temp_with};

/// Whether a terminal could act on `c` instead of showing it (the test's
/// own list, kept apart from the program's).
fn acts_on_terminal(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}'
        )
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Asserts that nothing in `bytes` (one of the streams of `what`) could
/// drive a terminal: no control character but the line feed, no C1 control
/// in UTF-8 or as a raw byte, no bidirectional override.
fn assert_terminal_safe(bytes: &[u8], what: &str) {
    let text = String::from_utf8_lossy(bytes);
    let bad: Vec<char> = text.chars().filter(|&c| acts_on_terminal(c)).collect();
    assert!(
        bad.is_empty(),
        "{what} printed {bad:?} raw:\n{}",
        text.escape_debug()
    );
    // A raw C1 byte (0x80-0x9F outside a UTF-8 sequence) would show as U+FFFD
    // above; a terminal in a legacy mode would act on it.
    assert!(
        !text.contains('\u{fffd}') || std::str::from_utf8(bytes).is_ok(),
        "{what} printed bytes that are not UTF-8"
    );
}

/// The exit code of `o`, with its stderr when it panicked.
fn code(o: &Output) -> Option<i32> {
    let err = stderr(o);
    assert!(!err.contains("panicked"), "panicked:\n{err}");
    o.status.code()
}

/// A scenario that includes the shipped Kyrgyzstan 2010 case (keeping its
/// historical outcome, for `validate`) and gives it `name`, and Kyrgyzstan
/// the member name `member`; both are TOML basic strings, escapes allowed.
fn kyrgyzstan_named(name: &str, member: &str) -> String {
    let shipped = root().join("scenarios").join("kyrgyzstan_2010.toml");
    format!(
        "include = [{:?}]\n\n[scenario]\nname = \"{name}\"\n\n[members.KGZ]\nname = \"{member}\"\n\n[expected]\ninherit = true\n",
        shipped.to_str().expect("the repository's path is UTF-8")
    )
}

// ---------------------------------------------------------------------------
// 1. Paths that are not UTF-8

/// `run`, `sweep`, `power` and `validate` with a scenario file named in
/// Latin-1 (`ky\xe9.toml`) and an output folder whose name is not UTF-8
/// (`out\xff`): each works, writes its folder and manifest inside the real
/// folder, and shows the names with U+FFFD in place of the bad bytes.
#[cfg(unix)]
#[test]
fn paths_that_are_not_utf8_work_for_every_command() {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let file = OsString::from_vec(b"ky\xe9.toml".to_vec());
    if let Err(e) = std::fs::write(
        dir.join(&file),
        kyrgyzstan_named("Kyrgyzstan", "Kyrgyzstan"),
    ) {
        eprintln!("skipped: this file system refuses a file name that is not UTF-8 ({e})");
        return;
    }
    let out = OsString::from_vec(b"out\xff".to_vec());
    let label = "ky\u{fffd}";
    let commands: [(&str, &[&str], String); 4] = [
        ("run", &["--runs", "200"], label.to_string()),
        (
            "sweep",
            &["--runs", "100", "--vary", "noise=0.1,0.2"],
            format!("{label}-sweep"),
        ),
        ("power", &["--runs", "200"], format!("{label}-power")),
        ("validate", &["--runs", "200"], "validation".to_string()),
    ];
    for (command, extra, folder) in commands {
        let mut args: Vec<OsString> = vec![command.into(), file.clone(), "--out".into()];
        args.push(out.clone());
        args.push("--quiet".into());
        args.extend(extra.iter().map(OsString::from));
        let o = cmd(dir).args(&args).output().unwrap();
        assert_eq!(code(&o), Some(0), "{command}: {}", stderr(&o));
        let results = dir.join(&out).join(&folder);
        let manifest = std::fs::read_to_string(results.join("manifest.json"))
            .unwrap_or_else(|e| panic!("{command}: no manifest in {results:?}: {e}"));
        let m: serde_json::Value = serde_json::from_str(&manifest).unwrap();
        let line: Vec<&str> = m["command"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert!(line.contains(&"out\u{fffd}"), "{command}: {line:?}");
        assert!(
            stdout(&o).contains("out\u{fffd}/"),
            "{command} does not say where its results are:\n{}",
            stdout(&o)
        );
        assert!(results.as_os_str().as_bytes().contains(&0xff));
    }
    // The scenario's label is the lossy file stem, in the CSV as on screen.
    let csv = std::fs::read_to_string(dir.join(&out).join(label).join("outcomes.csv")).unwrap();
    assert!(
        csv.lines().nth(1).unwrap().starts_with("ky\u{fffd},"),
        "{csv}"
    );
}

/// Elsewhere the test has no file names of arbitrary bytes to try.
#[cfg(not(unix))]
#[test]
fn paths_that_are_not_utf8_work_for_every_command() {
    eprintln!("skipped: file names of arbitrary bytes are a Unix thing");
}

// ---------------------------------------------------------------------------
// 2. Standard output and error that cannot be written

/// `/dev/full` as a writable file that always fails with "no space", or
/// `None` (and a printed reason) where there is none.
fn dev_full() -> Option<std::fs::File> {
    match std::fs::OpenOptions::new().write(true).open("/dev/full") {
        Ok(f) => Some(f),
        Err(e) => {
            eprintln!("skipped: no /dev/full on this system ({e})");
            None
        }
    }
}

/// Error messages on a full stderr: the exit code is still 2 for bad
/// input and 1 for a folder that cannot be written, never a panic (101).
#[test]
fn an_error_on_a_full_stderr_keeps_its_exit_code() {
    let tmp = temp_with(&[("in_the_way", "a file, not a folder\n")]);
    let dir = tmp.path();
    let kyr = root().join("scenarios").join("kyrgyzstan_2010.toml");
    let cases: [(&[&str], i32); 4] = [
        (&["check", "missing.toml"], 2),
        (&["run", "missing.toml", "missing_too.toml"], 2),
        (&["explain", "--rule", "majorty", "missing.toml"], 2),
        (
            &[
                "run",
                kyr.to_str().unwrap(),
                "--runs",
                "50",
                "--out",
                "in_the_way",
            ],
            1,
        ),
    ];
    for (args, expected) in cases {
        let Some(full) = dev_full() else { return };
        let o = cmd(dir).args(args).stderr(full).output().unwrap();
        assert_eq!(o.status.code(), Some(expected), "{args:?}");
    }
}

/// Output to a full disk is an error (exit code 1) that says what failed,
/// even with stderr full as well; never a panic.
#[test]
fn output_to_a_full_stdout_fails_with_exit_code_1() {
    let tmp = tempfile::tempdir().unwrap();
    let kyr = root().join("scenarios").join("kyrgyzstan_2010.toml");
    let kyr = kyr.to_str().unwrap();
    for args in [
        vec!["run", kyr, "--runs", "50", "--out", "out", "--quiet"],
        vec!["explain", kyr],
        vec!["check", kyr],
        vec!["params", kyr],
        vec!["--help"],
    ] {
        let Some(full) = dev_full() else { return };
        let o = cmd(tmp.path()).args(&args).stdout(full).output().unwrap();
        assert_eq!(code(&o), Some(1), "{args:?}");
        says(&stderr(&o), &["cannot write to standard output"]);
        let (Some(out), Some(err)) = (dev_full(), dev_full()) else {
            return;
        };
        let o = cmd(tmp.path())
            .args(&args)
            .stdout(out)
            .stderr(err)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{args:?} with both streams full");
    }
}

/// A reader that has gone away (`| head -1`): output stops quietly and the
/// command ends with its own exit status: 0 when it did its work, 2 when a
/// file failed its check, whatever came first.
#[test]
fn a_closed_pipe_ends_output_quietly_with_the_commands_status() {
    let tmp = temp_with(&[("bad.toml", "[scenario\n")]);
    let dir = tmp.path();
    let kyr = root().join("scenarios").join("kyrgyzstan_2010.toml");
    let kyr = kyr.to_str().unwrap();
    let closed = |args: &[&str]| {
        // The reading end is closed before the program starts, so every
        // write to its standard output meets a broken pipe.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let o = cmd(dir).args(args).stdout(writer).output().unwrap();
        (code(&o), stderr(&o))
    };
    let (status, err) = closed(&["check", kyr, "bad.toml"]);
    assert_eq!(status, Some(2), "{err}");
    says(&err, &["bad.toml", "1 of 2 scenario files failed"]);
    let (status, err) = closed(&["run", kyr, "--runs", "50", "--out", "out", "--quiet"]);
    assert_eq!(status, Some(0), "{err}");
    assert!(
        err.is_empty(),
        "a closed pipe is not worth a message:\n{err}"
    );
    assert!(dir.join("out/kyrgyzstan_2010/manifest.json").is_file());
    for args in [vec!["explain", kyr], vec!["--help"], vec!["params", kyr]] {
        let (status, err) = closed(&args);
        assert_eq!(status, Some(0), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}

// ---------------------------------------------------------------------------
// 3. Names that would drive the terminal

/// A name that retitles the window (OSC 0), writes the clipboard (OSC 52),
/// clears the screen (CSI 2J), rings the bell, colours through a C1 CSI and
/// reverses the text (U+202E), as TOML escapes.
const HOSTILE: &str =
    "Osh\\u001b]0;owned\\u0007\\u001b]52;c;aGk=\\u0007\\u001b[2J\\u009b31m\\u202eevil\\u2066\\r";

/// Every command's output and every message shows such a name escaped
/// (`\x1b`, `\u{202e}`), never raw; JSON stays JSON with the same name.
#[test]
fn control_sequences_in_names_are_shown_escaped_everywhere() {
    let tmp = temp_with(&[
        ("hostile.toml", &kyrgyzstan_named(HOSTILE, HOSTILE)),
        (
            "hostile_error.toml",
            &kyrgyzstan_named("x", "x").replace(
                "[expected]",
                "[crisis]\nrequested = \"\\u001b]0;owned\\u0007\\u001b[2J\"\n\n[expected]",
            ),
        ),
    ]);
    let dir = tmp.path();
    let quick = ["--runs", "100", "--quiet", "--out", "out"];
    let with = |head: &[&str], tail: &[&str]| -> Vec<String> {
        head.iter().chain(tail).map(|s| s.to_string()).collect()
    };
    let runs: Vec<Vec<String>> = vec![
        with(&["check", "hostile.toml"], &[]),
        with(&["explain", "hostile.toml"], &[]),
        with(&["explain", "hostile.toml", "--format", "csv"], &[]),
        with(&["run", "hostile.toml"], &quick),
        with(&["power", "hostile.toml"], &quick),
        with(
            &["sweep", "hostile.toml", "--vary", "noise=0.1,0.2"],
            &quick,
        ),
        with(&["validate", "hostile.toml"], &quick),
    ];
    for args in &runs {
        let o = succeed(dir, &refs(args));
        assert_terminal_safe(&o.stdout, &format!("{args:?} (stdout)"));
        assert_terminal_safe(&o.stderr, &format!("{args:?} (stderr)"));
    }
    let explained = stdout(&succeed(dir, &["explain", "hostile.toml"]));
    says(
        &explained,
        &[
            "Osh\\x1b]0;owned\\x07",
            "\\x1b[2J",
            "\\u{9b}31m",
            "\\u{202e}evil",
        ],
    );

    // JSON: escaped the JSON way, read back as the very name.
    let o = succeed(dir, &["explain", "hostile.toml", "--format", "json"]);
    assert_terminal_safe(&o.stdout, "explain --format json");
    let x: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        x["scenario"].as_str().unwrap(),
        "Osh\u{1b}]0;owned\u{7}\u{1b}]52;c;aGk=\u{7}\u{1b}[2J\u{9b}31m\u{202e}evil\u{2066}\r"
    );

    // Error messages: an unknown option id, and a member asked for by a
    // hostile id on the command line.
    for args in [
        vec!["check", "hostile_error.toml"],
        vec![
            "explain",
            "hostile.toml",
            "--member",
            "K\u{1b}]52;c;aGk=\u{7}",
        ],
        vec![
            "sweep",
            "hostile.toml",
            "--vary",
            "members.\u{1b}[2J.sovereignty=0,1",
        ],
    ] {
        let o = cmd(dir).args(&args).output().unwrap();
        assert_eq!(code(&o), Some(2), "{args:?}");
        assert_terminal_safe(&o.stderr, &format!("{args:?} (error)"));
        // Shown escaped: as the terminal escape `\x1b`, or the TOML one
        // where the message quotes the value as a TOML string.
        let err = stderr(&o);
        assert!(
            err.contains("\\x1b") || err.contains("\\u001B"),
            "{args:?}: the escape is not shown:\n{err}"
        );
    }
}

// ---------------------------------------------------------------------------
// 4. Characters XML forbids, in the charts

/// Every SVG chart written for a scenario whose name, member names and file
/// name hold characters XML 1.0 forbids (U+FFFF, U+FFFE, C0 controls) or
/// asks to avoid (C1, noncharacters) parses with an XML parser; the HTML
/// reports hold none of them either. (Ids are limited to ASCII letters,
/// digits, `_` and `-` by the scenario check.)
#[test]
fn charts_of_names_xml_forbids_are_well_formed_xml() {
    let odd = "A\\uffffB\\ufffeC\\u0001D\\u0085E\\ufdd0F<&>";
    let file = "odd\u{ffff}.toml";
    let tmp = temp_with(&[(file, &kyrgyzstan_named(odd, odd))]);
    let dir = tmp.path();
    let commands: [&[&str]; 6] = [
        &["run", file],
        &["power", file],
        &["sweep", file, "--vary", "noise=0.1,0.2"],
        &[
            "sweep",
            file,
            "--vary",
            "noise=0.1,0.2",
            "--vary",
            "crisis.severity=0.5,1",
        ],
        &["validate", file],
        &[
            "sensitivity",
            file,
            "--trajectories",
            "2",
            "--param",
            "noise",
            "--param",
            "crisis.severity",
        ],
    ];
    for (i, args) in commands.iter().enumerate() {
        let out = format!("out{i}");
        let mut all: Vec<&str> = args.to_vec();
        all.extend_from_slice(&["--runs", "100", "--quiet", "--out", &out]);
        succeed(dir, &all);
    }
    let mut svgs = 0;
    let mut pages = 0;
    for path in files_under(dir) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".svg") {
            let text = std::fs::read_to_string(&path).unwrap();
            if let Err(e) = roxmltree::Document::parse(&text) {
                panic!("{} is not well-formed XML: {e}", path.display());
            }
            svgs += 1;
        } else if name == "report.html" {
            let text = std::fs::read_to_string(&path).unwrap();
            let bad: Vec<char> = text
                .chars()
                .filter(|&c| {
                    let u = c as u32;
                    (u < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
                        || (0x7f..=0x9f).contains(&u)
                        || (0xfdd0..=0xfdef).contains(&u)
                        || (u & 0xfffe) == 0xfffe
                })
                .collect();
            assert!(bad.is_empty(), "{} holds {bad:?}", path.display());
            pages += 1;
        }
    }
    // outcomes, power, two sweeps, validation, tornado.
    assert!(svgs >= 6, "only {svgs} charts");
    assert!(pages >= 6, "only {pages} reports");
    let outcomes = std::fs::read_to_string(dir.join("out0/odd\u{ffff}/outcomes.svg")).unwrap();
    let doc = roxmltree::Document::parse(&outcomes).unwrap();
    let title = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .find(|t| t.starts_with('A'))
        .expect("a title with the scenario's name");
    assert!(
        title.starts_with("A\u{fffd}B\u{fffd}C\u{fffd}D\u{fffd}E\u{fffd}F<&>"),
        "{title}"
    );
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// 5. Numbers at the ends of the floating-point range

/// Steps finer than the rounding of generated values are refused, naming
/// the option, instead of running points that are all 0; a list with the
/// same values runs as written.
#[test]
fn sweep_steps_lost_to_rounding_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let kyr = root().join("scenarios").join("kyrgyzstan_2010.toml");
    let kyr = kyr.to_str().unwrap();
    let err = fail(
        dir,
        &[
            "sweep",
            kyr,
            "--vary",
            "crisis.severity=0:1e-13:3",
            "--runs",
            "10",
            "--out",
            "out",
        ],
    );
    says(
        &err,
        &[
            "--vary",
            "`crisis.severity`",
            "`0:1e-13:3`",
            "5e-14",
            "0,5e-14,1e-13",
        ],
    );
    assert!(!dir.join("out").exists(), "files written despite the error");

    // The same from a sweep file names the file and its [vary] entry.
    std::fs::write(
        dir.join("fine.toml"),
        "[vary]\n\"crisis.severity\" = \"0:1e-13:3\"\n",
    )
    .unwrap();
    let err = fail(
        dir,
        &[
            "sweep",
            kyr,
            "--sweep-file",
            "fine.toml",
            "--runs",
            "10",
            "--out",
            "out",
        ],
    );
    says(&err, &["fine.toml", "[vary]", "crisis.severity", "5e-14"]);

    succeed(
        dir,
        &[
            "sweep",
            kyr,
            "--vary",
            "crisis.severity=0,5e-14,1e-13",
            "--runs",
            "10",
            "--quiet",
            "--out",
            "out",
        ],
    );
    let csv =
        std::fs::read_to_string(dir.join("out/kyrgyzstan_2010-sweep/sweep_outcomes.csv")).unwrap();
    let mut values: Vec<f64> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    values.dedup();
    assert_eq!(values, [0.0, 5e-14, 1e-13]);
}

/// The command line takes what a scenario file takes: an option's effect
/// only has to be above 0, however little; and a refused number is echoed
/// briefly (`1e300`, not 301 digits).
#[test]
fn the_command_line_and_the_file_agree_on_tiny_numbers() {
    let kyr = root().join("scenarios").join("kyrgyzstan_2010.toml");
    let roster_options =
        std::fs::read_to_string(root().join("scenarios/csto/options.toml")).unwrap();
    let tiny = roster_options.replacen("effect = 0.1", "effect = 5e-324", 1);
    assert_ne!(
        tiny, roster_options,
        "the options file changed: update this test"
    );
    let case = std::fs::read_to_string(&kyr)
        .unwrap()
        .replace(
            "\"csto/",
            &format!("\"{}/scenarios/csto/", root().display()),
        )
        .replace(
            &format!("{}/scenarios/csto/options.toml", root().display()),
            "tiny_options.toml",
        );
    let tmp = temp_with(&[("tiny_options.toml", &tiny), ("tiny.toml", &case)]);
    let dir = tmp.path();
    succeed(dir, &["check", "tiny.toml"]);
    let kyr = kyr.to_str().unwrap();
    succeed(
        dir,
        &[
            "sweep",
            kyr,
            "--vary",
            "options.statement.effect=1e-320,5e-324,1",
            "--runs",
            "10",
            "--quiet",
            "--out",
            "out",
        ],
    );
    for (vary, fragments) in [
        (
            "options.statement.effect=0,1",
            &["0 is outside the range (0, 1]"][..],
        ),
        (
            "noise=1e300",
            &["1e300 is outside the range [0, 10] of `noise`"][..],
        ),
        (
            "crisis.severity=-1e-320,1",
            &["-1e-320 is outside the range [0, 1]"][..],
        ),
    ] {
        let err = fail(
            dir,
            &["sweep", kyr, "--vary", vary, "--runs", "10", "--out", "bad"],
        );
        says(&err, fragments);
        says(&err, &["--vary"]);
        assert!(err.len() < 300, "a long message:\n{err}");
    }
    let huge = case.replace("noise = 0.1", "noise = 1e300");
    assert_ne!(huge, case, "the Kyrgyzstan case changed: update this test");
    std::fs::write(dir.join("huge.toml"), huge).unwrap();
    let err = fail(dir, &["check", "huge.toml"]);
    says(&err, &["1e300", "[0, 10]"]);
    assert!(err.len() < 300, "a long message:\n{err}");
}

// ---------------------------------------------------------------------------
// 6. Bounded excerpts of what a message quotes

/// Messages quote at most an excerpt of a long key, value or id: a
/// 50,000-deep dotted key, a 10,000-character key, string and option id,
/// and a 100,000-character `--vary` all give short messages.
#[test]
fn messages_quote_bounded_excerpts_of_long_input() {
    let long = "n".repeat(10_000);
    let kyr = kyrgyzstan_named("k", "k");
    let tmp = temp_with(&[
        ("deep.toml", &format!("a{} = 1\n", ".a".repeat(50_000))),
        ("key.toml", &format!("[scenario]\n{long} = 1\n")),
        ("string.toml", &format!("[montecarlo]\nruns = \"{long}\"\n")),
        (
            "id.toml",
            &kyr.replace(
                "[expected]",
                &format!("[crisis]\nrequested = \"{long}\"\n\n[expected]"),
            ),
        ),
        ("k.toml", &kyr),
    ]);
    let dir = tmp.path();
    for file in ["deep.toml", "key.toml", "string.toml", "id.toml"] {
        let err = fail(dir, &["check", file]);
        assert!(
            err.len() < 600,
            "{file}: a message of {} bytes:\n{err}",
            err.len()
        );
        // The parser gives up on the deep key before quoting any of it.
        let quoted = if file == "deep.toml" {
            "nest too deeply"
        } else {
            "…"
        };
        says(&err, &[file, quoted]);
    }
    let vary = format!("crisis.severity={}", "0,".repeat(50_000));
    let err = fail(dir, &["sweep", "k.toml", "--vary", &vary, "--out", "out"]);
    assert!(err.len() < 600, "a message of {} bytes", err.len());
    says(&err, &["--vary", "`crisis.severity`", "`0,0,0,", "…"]);
    let err = fail(dir, &["explain", "k.toml", "--member", &long]);
    assert!(err.len() < 600, "a message of {} bytes", err.len());
}

/// A special file such as `/proc/self/environ` included as a scenario is
/// refused without echoing any of it (a variable's name or value).
#[test]
fn an_included_environment_is_not_echoed() {
    let environ = Path::new("/proc/self/environ");
    if !environ.exists() {
        eprintln!("skipped: no /proc/self/environ on this system");
        return;
    }
    let tmp = temp_with(&[("env.toml", "include = [\"/proc/self/environ\"]\n")]);
    let o = Command::new(env!("CARGO_BIN_EXE_alliance-sim"))
        .current_dir(tmp.path())
        .env_clear()
        .env("SECRET_VARIABLE_NAME", "hunter2")
        .args(["check", "env.toml"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(code(&o), Some(2));
    let err = stderr(&o);
    assert!(
        !err.contains("SECRET") && !err.contains("hunter2"),
        "the environment was echoed:\n{err}"
    );
    says(&err, &["/proc/self/environ", "not text"]);
}
