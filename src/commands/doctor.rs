use std::process::ExitCode;

use anyhow::Result;

use crate::native;

/// Checks each native dependency and says what to do about a missing one.
pub fn run() -> Result<ExitCode> {
    let mut ok = true;
    match super::pdf_reader() {
        Ok(_) => println!("ok    libpdfium      {}", native::find(native::PDFIUM)?.display()),
        Err(e) => {
            ok = false;
            println!("FAIL  libpdfium      {e:#}");
        }
    }
    match native::find(native::ONNXRUNTIME) {
        Ok(path) => match invex_models::init_onnxruntime(&path) {
            Ok(version) => println!("ok    libonnxruntime {} ({version})", path.display()),
            Err(e) => {
                ok = false;
                println!("FAIL  libonnxruntime {e}");
            }
        },
        Err(e) => {
            ok = false;
            println!("FAIL  libonnxruntime {e:#}");
        }
    }
    match std::process::Command::new("tesseract").arg("--list-langs").output() {
        Ok(out) => {
            let langs = String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr);
            let missing: Vec<&str> = ["swe", "eng", "deu", "fra"]
                .into_iter()
                .filter(|l| !langs.lines().any(|x| x.trim() == *l))
                .collect();
            if missing.is_empty() {
                println!("ok    tesseract      swe, eng, deu, fra");
            } else {
                ok = false;
                println!(
                    "FAIL  tesseract      missing language data: {}. Run scripts/setup.sh",
                    missing.join(", ")
                );
            }
        }
        Err(_) => {
            ok = false;
            println!("FAIL  tesseract      not installed. Run scripts/setup.sh");
        }
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
