//! The files a command writes, checked before it runs: an output that names its own
//! input, or two outputs that name one file, would silently destroy one of them.

use std::path::{Path, PathBuf};

/// Where `path` is or would be: its directory resolved (links, `..`) joined with its
/// name. `None` when its directory does not exist, so that nothing can be there yet.
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let name = path.file_name()?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(dir.canonicalize().ok()?.join(name))
}

/// Checks that no output (flag, path) is the input file or another output's file.
pub fn check_outputs(input: &Path, outputs: &[(&str, Option<&Path>)]) -> Result<(), String> {
    let input_at = resolved(input);
    let mut seen: Vec<(&str, PathBuf)> = Vec::new();
    for (flag, path) in outputs {
        let Some(path) = path else { continue };
        let Some(at) = resolved(path) else { continue };
        if input_at.as_ref() == Some(&at) {
            return Err(format!(
                "{flag} {} would overwrite the scenario file {} (expected another path)",
                path.display(),
                input.display()
            ));
        }
        if let Some((other, _)) = seen.iter().find(|(_, p)| *p == at) {
            return Err(format!(
                "{other} and {flag} both name {} (expected a different file for each)",
                path.display()
            ));
        }
        seen.push((flag, at));
    }
    Ok(())
}
