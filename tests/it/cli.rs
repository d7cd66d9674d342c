//! Output formats, limits and start-up errors of the command line.

use std::fs;

use crate::*;

#[test]
fn csv_and_parquet_outputs_follow_the_extension() {
    let dir = tempdir();
    let data = dir.path().join("data");
    generate(&data, 5, 11);
    for (name, magic) in [("out.csv", &b"file,status"[..]), ("out.parquet", &b"PAR1"[..])] {
        let path = dir.path().join(name);
        let out = extract(&[&data], &path);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let bytes = fs::read(&path).expect("output written");
        assert!(bytes.starts_with(magic), "{name} starts with {magic:?}");
    }
    let csv = fs::read_to_string(dir.path().join("out.csv")).expect("csv");
    assert_eq!(csv.lines().count(), 6, "header + one row per invoice");
    assert!(
        csv.lines().next().is_some_and(|h| h.contains("total_amount") && h.contains("bankgiro"))
    );
}

#[test]
fn unknown_output_extension_is_refused() {
    let dir = tempdir();
    let out = extract(&[&shared_dev()], &dir.path().join("out.xlsx"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown output format"), "{}", stderr(&out));
}

#[test]
fn files_above_the_size_limit_are_refused_before_reading() {
    let dir = tempdir();
    let big = dir.path().join("big.pdf");
    fs::write(&big, vec![b'%'; 2 * 1024 * 1024]).expect("write");
    let pred = dir.path().join("pred.jsonl");
    let out = run(invex()
        .arg("extract")
        .arg(&big)
        .arg("--max-file-mb")
        .arg("1")
        .arg("--output")
        .arg(&pred)
        .arg("--no-progress"));
    assert_eq!(out.status.code(), Some(1));
    let lines = read_jsonl(&pred);
    assert_eq!(lines[0]["error_type"], "too_large", "{}", lines[0]);
}

#[test]
fn a_missing_native_library_names_the_setup_command() {
    let dir = tempdir();
    let out = run(invex()
        .env("INVEX_NATIVE_DIR", dir.path())
        .arg("extract")
        .arg(shared_dev())
        .arg("--output")
        .arg(dir.path().join("p.jsonl")));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("libpdfium.so") && err.contains("scripts/setup.sh"), "{err}");
    let doctor = run(invex().env("INVEX_NATIVE_DIR", dir.path()).arg("doctor"));
    assert!(!doctor.status.success());
    assert!(String::from_utf8_lossy(&doctor.stdout).contains("scripts/setup.sh"));
}

#[test]
fn doctor_finds_the_installed_libraries() {
    let out = run(invex().arg("doctor"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ok    libpdfium"), "{text}");
    assert!(text.contains("ok    libonnxruntime"), "{text}");
}

#[test]
fn generation_is_deterministic_for_a_seed() {
    let dir = tempdir();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    generate(&a, 6, 99);
    generate(&b, 6, 99);
    for name in ["groundtruth.jsonl", "inv-00000.pdf", "inv-00005.pdf", "inv-00003.truth.json"] {
        assert_eq!(
            fs::read(a.join(name)).expect(name),
            fs::read(b.join(name)).expect(name),
            "{name} differs"
        );
    }
}

#[test]
fn words_prints_swedish_text_from_a_generated_pdf() {
    let dir = tempdir();
    generate(dir.path(), 3, 5);
    let out = run(invex().arg("words").arg(dir.path().join("inv-00000.pdf")));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("# page 1"), "{text}");
}

/// Text turned sideways in a margin (Bouygues Telecom prints its legal
/// notice vertically on the right) is left out of the page's words: read
/// as it was, it came out one character per word and per line, 132 of
/// them, interleaved with the body's lines.
#[test]
fn sideways_margin_text_does_not_scatter_into_the_lines() {
    let pdf =
        repo().join("datasets/real/digital/files/bouygues-telecom--bouygues_telecom-test.pdf");
    let out = run(invex().arg("words").arg(&pdf));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let page1 = text.split("# page 2").next().unwrap_or_default();
    let margin: Vec<&str> = page1
        .lines()
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.len() == 5 && f[0].parse::<f32>().is_ok_and(|x| x > 560.0)
        })
        .collect();
    assert!(margin.is_empty(), "margin words: {margin:?}");
    // The horizontal text around it is still read.
    assert!(page1.contains("12,99") && page1.contains("ALEXINUX"), "{page1}");
}

/// A reader that stops early (`invex eval … | head -1`) ends the command
/// quietly, as for any Unix filter: no panic from a broken pipe.
#[test]
fn a_closed_stdout_ends_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let dir = tempdir();
    let data = dir.path().join("data");
    generate(&data, 3, 5);
    let pred = dir.path().join("pred.jsonl");
    assert!(extract(&[&data], &pred).status.success());
    let mut child = invex()
        .args(["eval", "--gold"])
        .arg(data.join("groundtruth.jsonl"))
        .arg("--pred")
        .arg(&pred)
        .arg("--calibration")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn invex eval");
    // Read nothing and hang up: every later write hits a closed pipe.
    drop(child.stdout.take());
    let mut err = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut err).expect("read stderr");
    let status = child.wait().expect("wait");
    assert!(!err.contains("panicked"), "{err}");
    // Killed by SIGPIPE, or done before its first write reached the pipe.
    use std::os::unix::process::ExitStatusExt;
    assert!(status.success() || status.signal() == Some(13), "{status:?}: {err}");
}
