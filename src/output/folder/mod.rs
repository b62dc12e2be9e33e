//! Result folders as a unit. A command builds its whole results folder in a
//! staging folder beside the destination (same file system, a name no other
//! process can predict, readable by its owner only) and puts it in place in
//! one step when every file is complete. A reader of the destination sees
//! the old folder or the new one, never a mixture, whatever happens to the
//! process: an error, Ctrl-C or SIGKILL before that step leaves the old
//! results as they were.
//!
//! Results are never replaced silently. A folder is replaced only when it
//! holds the same results (every data file byte-identical: the same inputs
//! and settings give the same bytes) or when the caller asks for it
//! ([`Replace::Always`], the `--replace` option); otherwise the new results
//! go to the first free `NAME-2`, `NAME-3`, ... and the old ones are kept.
//!
//! Concurrent writers serialize on a lock of the parent folder while they
//! choose the destination and swap (a few file-system operations; the work
//! itself runs in parallel), so two commands writing to one name both
//! succeed, each with a complete folder of its own, or the second replaces
//! identical results.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::dialect::{self, Dialect};

/// Files that describe how a result was produced rather than what it is
/// (the command line, threads, timings): two folders that differ only in
/// them hold the same results.
const DESCRIPTIVE: [&str; 3] = ["manifest.json", "report.html", "shard.json"];

/// The suffix of staging folders.
const STAGING_SUFFIX: &str = ".part";

/// The most numbered alternatives tried before giving up.
const MAX_ALTERNATIVES: u32 = 9999;

/// When an existing folder may be replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Replace {
    /// Only when it holds the same results; otherwise keep it and write to
    /// the first free numbered name.
    #[default]
    IfSame,
    /// Replace the folder of that name if it is a results folder of this
    /// program (`--replace`).
    Always,
}

/// Why a folder could not be put in place.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    /// The name is not a plain folder name.
    #[error("`{0}` cannot name a results folder: use a plain name (no `/`, not `.` or `..`, no control characters)")]
    BadName(String),
    /// `--replace` was given for a folder that this program did not write.
    #[error("`{}` was not written by alliance-sim (it has no manifest of ours), so it is not replaced; choose another --out", .0.display())]
    NotResults(PathBuf),
    /// Another process holds the folder.
    #[error("another alliance-sim process is writing `{}` now; wait for it to finish, or use another --out", .0.display())]
    Busy(PathBuf),
    /// A work folder to resume is missing.
    #[error("there is no interrupted work in `{}`", .0.display())]
    NoWork(PathBuf),
    /// A work folder is not a plain folder of this user's (a symbolic link,
    /// say): never used, never removed.
    #[error("`{}` is not a folder of yours (a symbolic link or another user's?); remove it or use another --out", .0.display())]
    NotOwn(PathBuf),
    /// A file-system operation failed.
    #[error("{context}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

fn io_context(context: impl FnOnce() -> String) -> impl FnOnce(io::Error) -> FolderError {
    move |source| FolderError::Io {
        context: context(),
        source,
    }
}

/// Longest name of a results folder, in bytes (room for suffixes such as
/// `-sweep.shard-K-of-N` and `-2` within the usual 255).
pub const MAX_NAME_BYTES: usize = 200;

/// Checks that `name` can name a folder inside the output folder: not empty,
/// at most [`MAX_NAME_BYTES`] bytes, not `.` or `..`, and without `/`, `\`
/// or control characters (NUL included). Returns what is wrong otherwise.
pub fn plain_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("it is empty".into());
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(format!(
            "it is {} bytes long, more than {MAX_NAME_BYTES}",
            name.len()
        ));
    }
    if name == "." || name == ".." {
        return Err(format!("`{name}` names a folder, not a file"));
    }
    if name.contains(['/', '\\']) {
        return Err("it holds a folder separator, `/` or `\\`".into());
    }
    if name.chars().any(char::is_control) {
        return Err("it holds a control character".into());
    }
    Ok(())
}

/// [`plain_name`] as a [`FolderError`].
pub fn check_name(name: &str) -> Result<(), FolderError> {
    plain_name(name).map_err(|_| FolderError::BadName(name.to_string()))
}

/// Where a committed folder went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    /// The folder that now holds the results.
    pub dir: PathBuf,
    /// Folders of the wanted name (and earlier numbered names) that held
    /// other results and were kept.
    pub kept: Vec<PathBuf>,
    /// Whether an earlier folder was replaced (same results, or asked to).
    pub replaced: bool,
}

impl Committed {
    /// A note for the user when the results did not go where they asked, or
    /// replaced a folder: `None` when they went to a new folder of the
    /// wanted name.
    pub fn note(&self) -> Option<String> {
        self.kept.first().map(|first| {
            format!(
                "`{}` holds other results and was kept; these are in `{}` (--replace replaces instead)",
                first.display(),
                self.dir.display()
            )
        })
    }
}

/// A results folder being built.
#[derive(Debug)]
pub struct Staged {
    parent: PathBuf,
    name: String,
    path: PathBuf,
    /// The staging folder, open and locked while this process builds it, so
    /// that no other process takes it for abandoned.
    _guard: File,
    /// Folders `begin` created for the parent, deepest first: removed again
    /// (if still empty) when nothing is committed.
    created: Vec<PathBuf>,
    /// Kept when dropped without a commit (a work folder to resume).
    keep: bool,
    done: bool,
}

impl Staged {
    /// Starts building the folder `parent/name` (creating `parent` if need
    /// be). Staging folders of processes that died are removed first.
    pub fn begin(parent: &Path, name: &str) -> Result<Staged, FolderError> {
        check_name(name)?;
        let created: Vec<PathBuf> = parent
            .ancestors()
            .take_while(|d| !d.as_os_str().is_empty() && fs::symlink_metadata(d).is_err())
            .map(Path::to_path_buf)
            .collect();
        fs::create_dir_all(parent).map_err(io_context(|| {
            format!("cannot create the output folder `{}`", parent.display())
        }))?;
        // Creating a staging folder and removing abandoned ones happen under
        // the parent's lock, so a folder is never taken for abandoned between
        // its creation and its owner's lock.
        let parent_lock = lock_folder(parent)?;
        remove_abandoned(parent);
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(STAGING_SUFFIX);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o700));
        }
        let path = builder
            .tempdir_in(parent)
            .map_err(io_context(|| {
                format!("cannot create a folder in `{}`", parent.display())
            }))?
            .keep();
        let guard = File::open(&path)
            .map_err(io_context(|| format!("cannot open `{}`", path.display())))?;
        if let Err(e) = guard.try_lock() {
            let _ = fs::remove_dir_all(&path);
            return Err(FolderError::Io {
                context: format!("cannot lock `{}`", path.display()),
                source: io::Error::other(e.to_string()),
            });
        }
        drop(parent_lock);
        Ok(Staged {
            parent: parent.to_path_buf(),
            name: name.to_string(),
            path,
            _guard: guard,
            created,
            keep: false,
            done: false,
        })
    }

    /// Opens the work folder `parent/NAME.partial` of a long job that can be
    /// resumed: unlike [`Staged::begin`]'s folder, it has a name a later
    /// command can find and it is kept when dropped without a commit. A
    /// fresh start (`resume` false) replaces an earlier, abandoned work
    /// folder of that name; a resume reopens it. Either way it must be a
    /// plain folder of this user's that no other process holds.
    pub fn work(parent: &Path, name: &str, resume: bool) -> Result<Staged, FolderError> {
        check_name(name)?;
        fs::create_dir_all(parent).map_err(io_context(|| {
            format!("cannot create the output folder `{}`", parent.display())
        }))?;
        let path = work_path(parent, name);
        let parent_lock = lock_folder(parent)?;
        match fs::symlink_metadata(&path) {
            Ok(meta) if !own_folder(&meta) => return Err(FolderError::NotOwn(path)),
            Ok(_) => {
                let guard = File::open(&path)
                    .map_err(io_context(|| format!("cannot open `{}`", path.display())))?;
                if guard.try_lock().is_err() {
                    return Err(FolderError::Busy(path));
                }
                if resume {
                    drop(parent_lock);
                    return Ok(Staged::work_folder(parent, name, path, guard));
                }
                drop(guard);
                fs::remove_dir_all(&path).map_err(io_context(|| {
                    format!("cannot remove the abandoned `{}`", path.display())
                }))?;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if resume {
                    return Err(FolderError::NoWork(path));
                }
            }
            Err(e) => {
                return Err(FolderError::Io {
                    context: format!("cannot inspect `{}`", path.display()),
                    source: e,
                })
            }
        }
        let mut builder = fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        // Fails rather than follows if anything appeared at the name meanwhile.
        builder
            .create(&path)
            .map_err(io_context(|| format!("cannot create `{}`", path.display())))?;
        let guard = File::open(&path)
            .map_err(io_context(|| format!("cannot open `{}`", path.display())))?;
        if guard.try_lock().is_err() {
            return Err(FolderError::Busy(path));
        }
        drop(parent_lock);
        Ok(Staged::work_folder(parent, name, path, guard))
    }

    fn work_folder(parent: &Path, name: &str, path: PathBuf, guard: File) -> Staged {
        Staged {
            parent: parent.to_path_buf(),
            name: name.to_string(),
            path,
            _guard: guard,
            created: Vec::new(),
            keep: true,
            done: false,
        }
    }

    /// The wanted destination, `parent/name`.
    pub fn destination(&self) -> PathBuf {
        self.parent.join(&self.name)
    }

    /// The staging folder (files written here appear at the destination on
    /// [`commit`](Staged::commit)).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Creates the file `file` in the staging folder; it must not exist.
    pub fn create(&self, file: &str) -> io::Result<BufWriter<File>> {
        let f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.path.join(file))?;
        Ok(BufWriter::new(f))
    }

    /// Writes the file `file` with `bytes`.
    pub fn write(&self, file: &str, bytes: &[u8]) -> io::Result<()> {
        let mut w = self.create(file)?;
        w.write_all(bytes)?;
        w.flush()
    }

    /// Puts the folder in place: syncs every file, then under the parent's
    /// lock chooses the destination ([`Replace`]) and moves the folder there
    /// in one step. The CSV files stay in the standard dialect.
    pub fn commit(self, replace: Replace) -> Result<Committed, FolderError> {
        self.commit_in(replace, Dialect::Standard)
    }

    /// [`commit`](Staged::commit), with every CSV file of the folder (written
    /// in the standard dialect) first converted to `dialect`, one record at a
    /// time, and the dialect recorded in `manifest.json`.
    pub fn commit_in(
        mut self,
        replace: Replace,
        dialect: Dialect,
    ) -> Result<Committed, FolderError> {
        let staging = self.path.clone();
        if dialect != Dialect::Standard {
            to_dialect(&staging, dialect).map_err(io_context(|| {
                format!("cannot write the results in `{}`", staging.display())
            }))?;
        }
        sync_tree(&staging).map_err(io_context(|| {
            format!("cannot write the results in `{}`", staging.display())
        }))?;
        let lock = lock_folder(&self.parent)?;
        remove_abandoned(&self.parent);
        let mut kept = Vec::new();
        let mut chosen = None;
        for k in 1..=MAX_ALTERNATIVES {
            let candidate = if k == 1 {
                self.destination()
            } else {
                self.parent.join(format!("{}-{k}", self.name))
            };
            match fs::symlink_metadata(&candidate) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    chosen = Some((candidate, false));
                    break;
                }
                Err(e) => {
                    return Err(FolderError::Io {
                        context: format!("cannot inspect `{}`", candidate.display()),
                        source: e,
                    })
                }
                Ok(meta) => {
                    let ours = meta.is_dir() && is_results(&candidate);
                    if replace == Replace::Always && k == 1 {
                        if !ours {
                            return Err(FolderError::NotResults(candidate));
                        }
                        chosen = Some((candidate, true));
                        break;
                    }
                    if ours && same_results(&candidate, &staging) {
                        chosen = Some((candidate, true));
                        break;
                    }
                    kept.push(candidate);
                }
            }
        }
        let Some((dir, replaced)) = chosen else {
            return Err(FolderError::Io {
                context: format!(
                    "`{}` and {MAX_ALTERNATIVES} numbered folders beside it are all taken",
                    self.destination().display()
                ),
                source: io::Error::from(io::ErrorKind::AlreadyExists),
            });
        };
        let swap = || format!("cannot put the results in place at `{}`", dir.display());
        if replaced {
            exchange(&staging, &dir).map_err(io_context(swap))?;
            // The staging path now holds the old folder.
            self.done = true;
            let _ = fs::remove_dir_all(&staging);
        } else {
            fs::rename(&staging, &dir).map_err(io_context(swap))?;
            self.done = true;
        }
        if let Ok(p) = File::open(&self.parent) {
            let _ = p.sync_all();
        }
        restore_permissions(&dir);
        drop(lock);
        Ok(Committed {
            dir,
            kept,
            replaced,
        })
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.done && !self.keep {
            let _ = fs::remove_dir_all(&self.path);
            for d in &self.created {
                // Only an empty folder is removed; anything else stays.
                let _ = fs::remove_dir(d);
            }
        }
    }
}

/// Gives a committed folder the permissions a folder created normally would
/// have (the staging folder was private while it was built).
/// The work folder of `name` in `parent`: `parent/NAME.partial`.
pub fn work_path(parent: &Path, name: &str) -> PathBuf {
    parent.join(format!("{name}.partial"))
}

/// Whether `meta` (not following links) is a folder of this user's that
/// nobody else can write in.
fn own_folder(meta: &fs::Metadata) -> bool {
    if !meta.is_dir() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no failure mode.
        let me = unsafe { libc::geteuid() };
        meta.uid() == me && meta.mode() & 0o022 == 0
    }
    #[cfg(not(unix))]
    true
}

/// Takes the lock of a folder (waiting for it), held until the file is
/// dropped.
fn lock_folder(dir: &Path) -> Result<File, FolderError> {
    let f = File::open(dir).map_err(io_context(|| format!("cannot open `{}`", dir.display())))?;
    f.lock()
        .map_err(io_context(|| format!("cannot lock `{}`", dir.display())))?;
    Ok(f)
}

#[cfg(unix)]
fn restore_permissions(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    // The process umask decides, as for any folder the user creates.
    let mask = current_umask();
    let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o777 & !mask));
}

#[cfg(not(unix))]
fn restore_permissions(_dir: &Path) {}

/// The process's umask, as Linux reports it (setting and restoring it
/// instead would race with other threads creating files); 022 elsewhere.
#[cfg(unix)]
fn current_umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

/// Swaps two folders in one step where the system can (Linux
/// `renameat2(RENAME_EXCHANGE)`); elsewhere moves the old aside first, so
/// the destination is briefly absent but never mixed.
fn exchange(new: &Path, old: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        match exchange_linux(new, old) {
            Ok(()) => return Ok(()),
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP)
                ) => {}
            Err(e) => return Err(e),
        }
    }
    // Fallback: old -> aside, new -> old, aside -> new's path (removed later).
    let aside = new.with_extension("old");
    fs::rename(old, &aside)?;
    if let Err(e) = fs::rename(new, old) {
        let _ = fs::rename(&aside, old);
        return Err(e);
    }
    fs::rename(&aside, new)
}

#[cfg(target_os = "linux")]
fn exchange_linux(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Whether `dir` is a results folder written by this program: it holds a
/// manifest (`manifest.json` or `shard.json`) naming the tool.
pub fn is_results(dir: &Path) -> bool {
    ["manifest.json", "shard.json"].iter().any(|m| {
        let path = dir.join(m);
        let Ok(meta) = fs::symlink_metadata(&path) else {
            return false;
        };
        if !meta.is_file() || meta.len() > 16 << 20 {
            return false;
        }
        let Ok(text) = fs::read_to_string(&path) else {
            return false;
        };
        serde_json::from_str::<serde_json::Value>(&text)
            .map(|v| {
                v.get("tool").and_then(|t| t.as_str()) == Some("alliance-sim")
                    || v.get("format")
                        .and_then(|t| t.as_str())
                        .is_some_and(|f| f.starts_with("alliance-sim"))
            })
            .unwrap_or(false)
    })
}

/// Whether two folders hold the same results: the same file names, only
/// regular files, and every file but the descriptive ones byte-identical.
fn same_results(old: &Path, new: &Path) -> bool {
    let (Some(a), Some(b)) = (listing(old), listing(new)) else {
        return false;
    };
    a == b
        && a.iter()
            .filter(|n| !DESCRIPTIVE.contains(&n.as_str()))
            .all(|n| same_bytes(&old.join(n), &new.join(n)).unwrap_or(false))
}

/// The sorted names of a folder's entries, if all are regular files with
/// UTF-8 names.
fn listing(dir: &Path) -> Option<Vec<String>> {
    let mut names = Vec::new();
    for e in fs::read_dir(dir).ok()? {
        let e = e.ok()?;
        if !e.file_type().ok()?.is_file() {
            return None;
        }
        names.push(e.file_name().into_string().ok()?);
    }
    names.sort();
    Some(names)
}

fn same_bytes(a: &Path, b: &Path) -> io::Result<bool> {
    let (fa, fb) = (File::open(a)?, File::open(b)?);
    if fa.metadata()?.len() != fb.metadata()?.len() {
        return Ok(false);
    }
    let (mut ra, mut rb) = (io::BufReader::new(fa), io::BufReader::new(fb));
    let (mut ba, mut bb) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        let n = ra.read(&mut ba)?;
        if n == 0 {
            return Ok(rb.read(&mut bb[..1])? == 0);
        }
        rb.read_exact(&mut bb[..n])?;
        if ba[..n] != bb[..n] {
            return Ok(false);
        }
    }
}

/// Converts every CSV file of `dir` from the standard dialect to `dialect`
/// (streaming each into a new file that then takes its name) and records
/// the dialect in `manifest.json`, if there is one.
fn to_dialect(dir: &Path, dialect: Dialect) -> io::Result<()> {
    let mut names = Vec::new();
    for e in fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        if e.file_type()?.is_file() && name.ends_with(".csv") && !name.starts_with('.') {
            names.push(name.to_string());
        }
    }
    names.sort();
    for name in names {
        let from = dir.join(&name);
        let to = dir.join(format!(".{name}.dialect"));
        let input = io::BufReader::with_capacity(1 << 16, File::open(&from)?);
        let output = BufWriter::with_capacity(1 << 16, File::create(&to)?);
        dialect::convert(input, output, Dialect::Standard, dialect)
            .map_err(|e| io::Error::new(e.kind(), format!("`{name}`: {e}")))?;
        fs::rename(&to, &from)?;
    }
    let manifest = dir.join("manifest.json");
    if let Ok(text) = fs::read_to_string(&manifest) {
        let recorded = dialect::record_in_manifest(&text, dialect).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                "manifest.json is not a JSON object",
            )
        })?;
        fs::write(&manifest, recorded)?;
    }
    Ok(())
}

/// Syncs every file of a folder, then the folder.
fn sync_tree(dir: &Path) -> io::Result<()> {
    for e in fs::read_dir(dir)? {
        let e = e?;
        if e.file_type()?.is_file() {
            File::open(e.path())?.sync_all()?;
        }
    }
    File::open(dir)?.sync_all()
}

/// Removes staging folders in `parent` whose process has gone (their lock
/// is free); called with the parent's lock held. Returns how many were
/// removed.
fn remove_abandoned(parent: &Path) -> usize {
    let Ok(entries) = fs::read_dir(parent) else {
        return 0;
    };
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        let staging = name.starts_with('.')
            && name.ends_with(STAGING_SUFFIX)
            && e.file_type().is_ok_and(|t| t.is_dir());
        if !staging {
            continue;
        }
        let path = e.path();
        let Ok(dir) = File::open(&path) else { continue };
        // A live builder holds the lock; a dead one released it.
        if dir.try_lock().is_ok() && fs::remove_dir_all(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests;
