//! `hit-atlas init DIR`: scaffolds a report project a user owns — `hit-atlas.toml`, the default
//! narrative in `content/`, and a GitHub Actions workflow that fetches, builds and deploys to
//! GitHub Pages on a schedule.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::config::{CONFIG_FILE, CONFIG_TEMPLATE};
use crate::render::DEFAULT_CONTENT;
use crate::store::{self, StoreError};

/// The workflow `init` writes (also the project's own demo workflow, checked by a test).
pub const WORKFLOW_TEMPLATE: &str = include_str!("../templates/init/publish.yml");

const GITIGNORE: &str = "/site\n/site.tmp-*\n/site.prev\n";

/// Why a project could not be created.
#[derive(Debug, Error)]
pub enum InitError {
    #[error("{0} already exists; pass --force to overwrite the config and content files")]
    Exists(PathBuf),
    #[error(transparent)]
    Write(#[from] StoreError),
}

/// Writes the project files into `dir`; returns the files written.
pub fn init(dir: &Path, force: bool) -> Result<Vec<PathBuf>, InitError> {
    let config = dir.join(CONFIG_FILE);
    if config.exists() && !force {
        return Err(InitError::Exists(config));
    }
    let readme = format!(
        "# Home infusion therapy access report\n\nBuilt with hit-atlas {}.\n\n```sh\nhit-atlas fetch    # fill store/ from data.cms.gov and the Census API (CENSUS_API_KEY)\nhit-atlas build    # write site/\nhit-atlas serve    # preview on http://127.0.0.1:8000/ while editing content/\n```\n\nEdit `hit-atlas.toml` and the narrative in `content/`. Placeholders such as\n`{{{{ suppliers_total }}}}` are filled from the data on every build.\n",
        env!("CARGO_PKG_VERSION")
    );
    let mut files: Vec<(PathBuf, &[u8])> = vec![
        (config, CONFIG_TEMPLATE.as_bytes()),
        (dir.join(".github/workflows/publish.yml"), WORKFLOW_TEMPLATE.as_bytes()),
        (dir.join(".gitignore"), GITIGNORE.as_bytes()),
        (dir.join("README.md"), readme.as_bytes()),
    ];
    for (name, text) in DEFAULT_CONTENT {
        files.push((dir.join("content").join(name), text.as_bytes()));
    }
    let mut written = Vec::new();
    for (path, bytes) in files {
        store::write_atomic(&path, bytes)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_overwrite_without_force() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = init(dir.path(), false).expect("first init");
        assert!(files.iter().any(|f| f.ends_with("content/caveats.md")));
        assert!(matches!(init(dir.path(), false), Err(InitError::Exists(_))));
        init(dir.path(), true).expect("forced");
    }
}
