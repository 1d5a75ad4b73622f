//! The model: every inode has a volatile state (what reads see, like a page
//! cache) and a durable state (what survives a power cut). The backing
//! directory always holds exactly the durable tree.
//!
//! - A file's bytes and size become durable when the file is fsynced
//!   (`fsync` or `fdatasync`).
//! - A directory's entries (creates, renames, removals in it) become durable
//!   when the directory is fsynced. A rename is one change: syncing either
//!   the old or the new parent makes it durable in both.
//! - A power cut sets every volatile state back to its durable state; what no
//!   durable entry reaches is gone.
//!
//! Nothing reaches the backing directory before it is durable, so after a
//! cut the mount and the backing directory agree.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io;
use std::os::unix::fs::{FileExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use nix::libc::{EEXIST, EINVAL, EIO, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY};

pub const PAGE: u64 = 4096;
pub const ROOT: u64 = 1;

type Page = Arc<[u8; PAGE as usize]>;

/// A sparse file image in pages; a missing page reads as zeros. Bytes at or
/// beyond `size` are always zero.
#[derive(Clone, Default)]
pub struct Content {
    pub size: u64,
    pages: BTreeMap<u64, Page>,
}

impl Content {
    pub fn read(&self, offset: u64, len: u64) -> Vec<u8> {
        let end = self.size.min(offset.saturating_add(len));
        let mut out = Vec::with_capacity(end.saturating_sub(offset) as usize);
        let mut pos = offset;
        while pos < end {
            let (page, at) = (pos / PAGE, (pos % PAGE) as usize);
            let take = ((PAGE - at as u64).min(end - pos)) as usize;
            match self.pages.get(&page) {
                Some(p) => out.extend_from_slice(&p[at..at + take]),
                None => out.resize(out.len() + take, 0),
            }
            pos += take as u64;
        }
        out
    }

    /// Writes `data` at `offset`; returns the pages it touched.
    pub fn write(&mut self, offset: u64, data: &[u8]) -> Vec<u64> {
        let mut touched = Vec::new();
        let mut done = 0usize;
        while done < data.len() {
            let pos = offset + done as u64;
            let (page, at) = (pos / PAGE, (pos % PAGE) as usize);
            let take = (PAGE as usize - at).min(data.len() - done);
            let p = self.pages.entry(page).or_insert_with(|| Arc::new([0; PAGE as usize]));
            Arc::make_mut(p)[at..at + take].copy_from_slice(&data[done..done + take]);
            touched.push(page);
            done += take;
        }
        self.size = self.size.max(offset + data.len() as u64);
        touched
    }

    /// Sets the size; bytes past a shrink are dropped (they read as zeros
    /// if the file grows again).
    pub fn set_size(&mut self, size: u64) {
        if size < self.size {
            let keep = size.div_ceil(PAGE);
            self.pages.retain(|&p, _| p < keep);
            let at = (size % PAGE) as usize;
            if at != 0 {
                if let Some(p) = self.pages.get_mut(&(size / PAGE)) {
                    Arc::make_mut(p)[at..].fill(0);
                }
            }
        }
        self.size = size;
    }

    fn pages(&self) -> usize {
        self.pages.len()
    }

    /// Writes this image over the file at `path` (created if missing).
    fn store(&self, path: &Path, only: Option<&BTreeSet<u64>>) -> io::Result<()> {
        let file = fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(path)?;
        file.set_len(self.size)?;
        let put = |page: u64| -> io::Result<()> {
            let start = page * PAGE;
            if start >= self.size {
                return Ok(());
            }
            let len = (self.size - start).min(PAGE) as usize;
            match self.pages.get(&page) {
                Some(p) => file.write_all_at(&p[..len], start),
                None => file.write_all_at(&vec![0; len], start),
            }
        };
        match only {
            Some(pages) => pages.iter().try_for_each(|&p| put(p)),
            None => self.pages.keys().try_for_each(|&p| put(p)),
        }
    }

    fn load(path: &Path) -> io::Result<Content> {
        let bytes = fs::read(path)?;
        let mut c = Content {
            size: bytes.len() as u64,
            pages: BTreeMap::new(),
        };
        for (i, chunk) in bytes.chunks(PAGE as usize).enumerate() {
            if chunk.iter().any(|&b| b != 0) {
                let mut p = [0u8; PAGE as usize];
                p[..chunk.len()].copy_from_slice(chunk);
                c.pages.insert(i as u64, Arc::new(p));
            }
        }
        Ok(c)
    }
}

pub struct FileNode {
    pub vol: Content,
    dur: Content,
    /// Pages written since the last fsync.
    dirty: BTreeSet<u64>,
    /// Shrunk or grown since the last fsync.
    resized: bool,
    unsynced_bytes: u64,
}

#[derive(Default)]
pub struct DirNode {
    pub vol: BTreeMap<OsString, u64>,
    dur: BTreeMap<OsString, u64>,
}

pub enum Kind {
    File(FileNode),
    Dir(DirNode),
}

pub struct Inode {
    pub kind: Kind,
    pub mode: u32,
    pub mtime: SystemTime,
    /// The kernel's references (lookups not yet forgotten).
    lookups: u64,
    vol_parent: Option<(u64, OsString)>,
    dur_parent: Option<(u64, OsString)>,
}

impl Inode {
    fn new(kind: Kind, mode: u32) -> Self {
        Inode {
            kind,
            mode,
            mtime: SystemTime::now(),
            lookups: 0,
            vol_parent: None,
            dur_parent: None,
        }
    }
}

/// What a power cut dropped.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Cut {
    pub bytes: u64,
    pub files: u64,
    pub dir_changes: u64,
}

pub struct Fs {
    backing: PathBuf,
    pub inodes: BTreeMap<u64, Inode>,
    next_ino: u64,
}

pub type Result<T> = std::result::Result<T, i32>;

fn io_errno(e: io::Error) -> i32 {
    e.raw_os_error().unwrap_or(EIO)
}

impl Fs {
    /// Loads the backing directory: at start, everything in it is durable.
    pub fn load(backing: &Path) -> io::Result<Fs> {
        let mut fs = Fs {
            backing: backing.to_path_buf(),
            inodes: BTreeMap::new(),
            next_ino: ROOT + 1,
        };
        let mode = fs::metadata(backing)?.permissions().mode() & 0o7777;
        fs.inodes.insert(ROOT, Inode::new(Kind::Dir(DirNode::default()), mode));
        fs.load_dir(ROOT, backing)?;
        Ok(fs)
    }

    fn load_dir(&mut self, dir: u64, path: &Path) -> io::Result<()> {
        for entry in fs::read_dir(path)? {
            let entry = entry?;
            let meta = entry.metadata()?;
            let mode = meta.permissions().mode() & 0o7777;
            let kind = if meta.is_dir() {
                Kind::Dir(DirNode::default())
            } else if meta.is_file() {
                let c = Content::load(&entry.path())?;
                Kind::File(FileNode {
                    vol: c.clone(),
                    dur: c,
                    dirty: BTreeSet::new(),
                    resized: false,
                    unsynced_bytes: 0,
                })
            } else {
                continue; // lazyfs serves files and directories only
            };
            let is_dir = meta.is_dir();
            let ino = self.alloc(Inode::new(kind, mode));
            let name = entry.file_name();
            self.link_vol(dir, &name, ino).map_err(io::Error::from_raw_os_error)?;
            self.dir_mut(dir)
                .map_err(io::Error::from_raw_os_error)?
                .dur
                .insert(name.clone(), ino);
            self.inodes.get_mut(&ino).unwrap().dur_parent = Some((dir, name));
            if is_dir {
                self.load_dir(ino, &entry.path())?;
            }
        }
        Ok(())
    }

    fn alloc(&mut self, inode: Inode) -> u64 {
        let ino = self.next_ino;
        self.next_ino += 1;
        self.inodes.insert(ino, inode);
        ino
    }

    pub fn get(&self, ino: u64) -> Result<&Inode> {
        self.inodes.get(&ino).ok_or(ENOENT)
    }

    fn get_mut(&mut self, ino: u64) -> Result<&mut Inode> {
        self.inodes.get_mut(&ino).ok_or(ENOENT)
    }

    fn dir(&self, ino: u64) -> Result<&DirNode> {
        match &self.get(ino)?.kind {
            Kind::Dir(d) => Ok(d),
            Kind::File(_) => Err(ENOTDIR),
        }
    }

    fn dir_mut(&mut self, ino: u64) -> Result<&mut DirNode> {
        match &mut self.get_mut(ino)?.kind {
            Kind::Dir(d) => Ok(d),
            Kind::File(_) => Err(ENOTDIR),
        }
    }

    fn file_mut(&mut self, ino: u64) -> Result<&mut FileNode> {
        match &mut self.get_mut(ino)?.kind {
            Kind::File(f) => Ok(f),
            Kind::Dir(_) => Err(EISDIR),
        }
    }

    fn link_vol(&mut self, dir: u64, name: &OsStr, ino: u64) -> Result<()> {
        self.dir_mut(dir)?.vol.insert(name.to_os_string(), ino);
        self.get_mut(ino)?.vol_parent = Some((dir, name.to_os_string()));
        Ok(())
    }

    pub fn lookup(&mut self, parent: u64, name: &OsStr) -> Result<u64> {
        let ino = *self.dir(parent)?.vol.get(name).ok_or(ENOENT)?;
        self.get_mut(ino)?.lookups += 1;
        Ok(ino)
    }

    /// The kernel dropped `n` references; an inode nothing refers to any
    /// more is freed.
    pub fn forget(&mut self, ino: u64, n: u64) {
        if let Some(inode) = self.inodes.get_mut(&ino) {
            inode.lookups = inode.lookups.saturating_sub(n);
            let holds = matches!(&inode.kind, Kind::Dir(d) if !d.dur.is_empty());
            if ino != ROOT && inode.lookups == 0 && inode.vol_parent.is_none() && inode.dur_parent.is_none() && !holds {
                self.inodes.remove(&ino);
            }
        }
    }

    pub fn create(&mut self, parent: u64, name: &OsStr, mode: u32, dir: bool) -> Result<u64> {
        if self.dir(parent)?.vol.contains_key(name) {
            return Err(EEXIST);
        }
        let kind = if dir {
            Kind::Dir(DirNode::default())
        } else {
            Kind::File(FileNode {
                vol: Content::default(),
                dur: Content::default(),
                dirty: BTreeSet::new(),
                resized: false,
                unsynced_bytes: 0,
            })
        };
        let ino = self.alloc(Inode::new(kind, mode & 0o7777));
        self.link_vol(parent, name, ino)?;
        self.get_mut(parent)?.mtime = SystemTime::now();
        self.inodes.get_mut(&ino).unwrap().lookups = 1;
        Ok(ino)
    }

    pub fn remove(&mut self, parent: u64, name: &OsStr, dir: bool) -> Result<()> {
        let ino = *self.dir(parent)?.vol.get(name).ok_or(ENOENT)?;
        match (&self.get(ino)?.kind, dir) {
            (Kind::Dir(d), true) if !d.vol.is_empty() => return Err(ENOTEMPTY),
            (Kind::Dir(_), false) => return Err(EISDIR),
            (Kind::File(_), true) => return Err(ENOTDIR),
            _ => {}
        }
        self.dir_mut(parent)?.vol.remove(name);
        self.get_mut(parent)?.mtime = SystemTime::now();
        self.get_mut(ino)?.vol_parent = None;
        self.forget(ino, 0);
        Ok(())
    }

    pub fn rename(&mut self, parent: u64, name: &OsStr, to: u64, to_name: &OsStr, no_replace: bool) -> Result<()> {
        let ino = *self.dir(parent)?.vol.get(name).ok_or(ENOENT)?;
        // A directory may not move below itself.
        let mut up = Some(to);
        while let Some(d) = up {
            if d == ino {
                return Err(EINVAL);
            }
            up = self.get(d)?.vol_parent.as_ref().map(|(p, _)| *p);
        }
        if let Some(&old) = self.dir(to)?.vol.get(to_name) {
            if old == ino {
                return Ok(());
            }
            if no_replace {
                return Err(EEXIST);
            }
            let moving_dir = matches!(self.get(ino)?.kind, Kind::Dir(_));
            match &self.get(old)?.kind {
                Kind::Dir(d) if !moving_dir => return Err(if d.vol.is_empty() { EISDIR } else { ENOTEMPTY }),
                Kind::Dir(d) if !d.vol.is_empty() => return Err(ENOTEMPTY),
                Kind::File(_) if moving_dir => return Err(ENOTDIR),
                _ => {}
            }
            self.dir_mut(to)?.vol.remove(to_name);
            self.get_mut(old)?.vol_parent = None;
            self.forget(old, 0);
        }
        self.dir_mut(parent)?.vol.remove(name);
        self.link_vol(to, to_name, ino)?;
        let now = SystemTime::now();
        self.get_mut(parent)?.mtime = now;
        self.get_mut(to)?.mtime = now;
        Ok(())
    }

    pub fn read(&self, ino: u64, offset: u64, len: u64) -> Result<Vec<u8>> {
        match &self.get(ino)?.kind {
            Kind::File(f) => Ok(f.vol.read(offset, len)),
            Kind::Dir(_) => Err(EISDIR),
        }
    }

    pub fn write(&mut self, ino: u64, offset: u64, data: &[u8]) -> Result<()> {
        let f = self.file_mut(ino)?;
        let grows = offset + data.len() as u64 > f.vol.size;
        for page in f.vol.write(offset, data) {
            f.dirty.insert(page);
        }
        f.resized |= grows;
        f.unsynced_bytes += data.len() as u64;
        self.get_mut(ino)?.mtime = SystemTime::now();
        Ok(())
    }

    pub fn set_size(&mut self, ino: u64, size: u64) -> Result<()> {
        let f = self.file_mut(ino)?;
        if size != f.vol.size {
            f.vol.set_size(size);
            f.resized = true;
        }
        self.get_mut(ino)?.mtime = SystemTime::now();
        Ok(())
    }

    pub fn set_mode(&mut self, ino: u64, mode: u32) -> Result<()> {
        let path = self.dur_path(ino);
        self.get_mut(ino)?.mode = mode & 0o7777;
        // Modes are not modelled as volatile: they reach the backing at once.
        if let Some(path) = path {
            fs::set_permissions(path, fs::Permissions::from_mode(mode & 0o7777)).map_err(io_errno)?;
        }
        Ok(())
    }

    /// Where the inode lives in the backing directory, if a chain of durable
    /// entries reaches it from the root.
    fn dur_path(&self, ino: u64) -> Option<PathBuf> {
        let mut names = Vec::new();
        let mut at = ino;
        while at != ROOT {
            let (parent, name) = self.inodes.get(&at)?.dur_parent.as_ref()?;
            names.push(name);
            at = *parent;
        }
        let mut path = self.backing.clone();
        path.extend(names.into_iter().rev());
        Some(path)
    }

    /// fsync or fdatasync of a file: its bytes and size become durable.
    pub fn sync_file(&mut self, ino: u64) -> Result<()> {
        let path = self.dur_path(ino);
        let f = match &mut self.get_mut(ino)?.kind {
            Kind::File(f) => f,
            Kind::Dir(_) => return self.sync_dir(ino),
        };
        let dirty = std::mem::take(&mut f.dirty);
        if f.resized {
            f.dur = f.vol.clone();
        } else {
            for &page in &dirty {
                match f.vol.pages.get(&page) {
                    Some(p) => f.dur.pages.insert(page, p.clone()),
                    None => f.dur.pages.remove(&page),
                };
            }
        }
        let whole = f.resized;
        f.resized = false;
        f.unsynced_bytes = 0;
        if let Some(path) = path {
            f.dur
                .store(&path, if whole { None } else { Some(&dirty) })
                .map_err(io_errno)?;
        }
        Ok(())
    }

    /// fsync of a directory: its entries become durable.
    pub fn sync_dir(&mut self, dir: u64) -> Result<()> {
        let d = self.dir(dir)?;
        let (old, new) = (d.dur.clone(), d.vol.clone());
        for (name, &ino) in &old {
            if new.get(name) == Some(&ino) {
                continue;
            }
            self.unlink_dur(dir, name)?;
            // Moved elsewhere by a rename: one change, durable on both sides.
            let moved = self.inodes.get(&ino).and_then(|i| i.vol_parent.clone());
            if let Some((to, to_name)) = moved {
                if (to, &to_name) != (dir, name) {
                    self.link_dur(to, &to_name, ino)?;
                }
            }
        }
        for (name, &ino) in &new {
            if old.get(name) != Some(&ino) {
                self.link_dur(dir, name, ino)?;
            }
        }
        Ok(())
    }

    fn unlink_dur(&mut self, dir: u64, name: &OsStr) -> Result<()> {
        let Some(ino) = self.dir_mut(dir)?.dur.get(name).copied() else {
            return Ok(());
        };
        let removed_dir = matches!(self.get(ino)?.kind, Kind::Dir(_)) && self.get(ino)?.vol_parent.is_none();
        if removed_dir {
            // A removed directory is empty: whatever it durably held was
            // removed or moved out first, and goes with it (a move out to
            // its new place).
            self.sync_dir(ino)?;
        }
        if let Some(path) = self.dur_path(ino) {
            let gone = match self.get(ino)?.kind {
                Kind::Dir(_) => fs::remove_dir_all(&path),
                Kind::File(_) => fs::remove_file(&path),
            };
            gone.or_else(|e| {
                if e.kind() == io::ErrorKind::NotFound {
                    Ok(())
                } else {
                    Err(e)
                }
            })
            .map_err(io_errno)?;
        }
        self.dir_mut(dir)?.dur.remove(name);
        self.get_mut(ino)?.dur_parent = None;
        self.forget(ino, 0);
        Ok(())
    }

    fn link_dur(&mut self, dir: u64, name: &OsStr, ino: u64) -> Result<()> {
        if self.dir_mut(dir)?.dur.get(name) == Some(&ino) {
            return Ok(());
        }
        self.unlink_dur(dir, name)?;
        if let Some((from, from_name)) = self.get(ino)?.dur_parent.clone() {
            self.unlink_dur(from, &from_name)?;
        }
        self.dir_mut(dir)?.dur.insert(name.to_os_string(), ino);
        self.get_mut(ino)?.dur_parent = Some((dir, name.to_os_string()));
        if let Some(path) = self.dur_path(ino) {
            self.materialise(ino, &path).map_err(io_errno)?;
        }
        Ok(())
    }

    /// Writes the durable state of `ino` and everything durably below it.
    fn materialise(&self, ino: u64, path: &Path) -> io::Result<()> {
        let inode = &self.inodes[&ino];
        match &inode.kind {
            Kind::File(f) => {
                let _ = fs::remove_file(path);
                f.dur.store(path, None)?;
            }
            Kind::Dir(d) => {
                fs::create_dir(path)?;
                for (name, &child) in &d.dur {
                    self.materialise(child, &path.join(name))?;
                }
            }
        }
        fs::set_permissions(path, fs::Permissions::from_mode(inode.mode))
    }

    /// A power cut: every volatile state goes back to its durable state.
    pub fn power_cut(&mut self) -> Cut {
        let mut cut = Cut::default();
        for inode in self.inodes.values_mut() {
            match &mut inode.kind {
                Kind::File(f) => {
                    if !f.dirty.is_empty() || f.resized {
                        cut.files += 1;
                        cut.bytes += f.unsynced_bytes;
                    }
                    f.vol = f.dur.clone();
                    f.dirty.clear();
                    f.resized = false;
                    f.unsynced_bytes = 0;
                }
                Kind::Dir(d) => {
                    let changed = d.vol.iter().filter(|(n, i)| d.dur.get(*n) != Some(i)).count()
                        + d.dur.iter().filter(|(n, _)| !d.vol.contains_key(*n)).count();
                    cut.dir_changes += changed as u64;
                    d.vol = d.dur.clone();
                }
            }
        }
        // What the durable tree does not reach is gone.
        let mut reached = HashSet::from([ROOT]);
        let mut stack = vec![ROOT];
        while let Some(ino) = stack.pop() {
            if let Kind::Dir(d) = &self.inodes[&ino].kind {
                for &child in d.dur.values() {
                    if reached.insert(child) {
                        stack.push(child);
                    }
                }
            }
        }
        for (ino, inode) in self.inodes.iter_mut() {
            if reached.contains(ino) {
                inode.vol_parent = inode.dur_parent.clone();
            } else {
                inode.vol_parent = None;
                inode.dur_parent = None;
                if let Kind::Dir(d) = &mut inode.kind {
                    d.vol.clear();
                    d.dur.clear();
                }
            }
        }
        self.inodes
            .retain(|ino, inode| reached.contains(ino) || inode.lookups > 0);
        cut
    }

    pub fn entries(&self, dir: u64) -> Result<Vec<(OsString, u64, bool)>> {
        Ok(self
            .dir(dir)?
            .vol
            .iter()
            .map(|(n, &i)| (n.clone(), i, matches!(self.inodes[&i].kind, Kind::Dir(_))))
            .collect())
    }

    pub fn parent_of(&self, dir: u64) -> u64 {
        self.inodes
            .get(&dir)
            .and_then(|i| i.vol_parent.as_ref())
            .map_or(ROOT, |(p, _)| *p)
    }

    pub fn blocks(&self, ino: u64) -> u64 {
        match self.inodes.get(&ino).map(|i| &i.kind) {
            Some(Kind::File(f)) => f.vol.pages() as u64 * (PAGE / 512),
            _ => 0,
        }
    }

    pub fn backing(&self) -> &Path {
        &self.backing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh() -> (tempfile::TempDir, Fs) {
        let dir = tempfile::tempdir().unwrap();
        let fs = Fs::load(dir.path()).unwrap();
        (dir, fs)
    }

    #[test]
    fn unsynced_bytes_are_dropped_and_synced_ones_kept() {
        let (dir, mut fs) = fresh();
        let f = fs.create(ROOT, OsStr::new("a"), 0o644, false).unwrap();
        fs.write(f, 0, b"kept").unwrap();
        fs.sync_file(f).unwrap();
        fs.sync_dir(ROOT).unwrap();
        assert_eq!(fs::read(dir.path().join("a")).unwrap(), b"kept");
        fs.write(f, 4, b" lost").unwrap();
        assert_eq!(fs.read(f, 0, 100).unwrap(), b"kept lost");
        assert_eq!(
            fs::read(dir.path().join("a")).unwrap(),
            b"kept",
            "nothing unsynced reaches the backing"
        );
        let cut = fs.power_cut();
        assert_eq!(
            cut,
            Cut {
                bytes: 5,
                files: 1,
                dir_changes: 0
            }
        );
        assert_eq!(fs.read(f, 0, 100).unwrap(), b"kept");
    }

    #[test]
    fn a_file_whose_directory_was_not_synced_is_gone_after_a_cut() {
        let (dir, mut fs) = fresh();
        let f = fs.create(ROOT, OsStr::new("new"), 0o644, false).unwrap();
        fs.write(f, 0, b"data").unwrap();
        fs.sync_file(f).unwrap();
        assert!(!dir.path().join("new").exists());
        fs.forget(f, 1);
        let cut = fs.power_cut();
        assert_eq!(cut.dir_changes, 1);
        assert!(fs.entries(ROOT).unwrap().is_empty());
    }

    #[test]
    fn a_rename_is_durable_once_either_directory_is_synced() {
        let (dir, mut fs) = fresh();
        let a = fs.create(ROOT, OsStr::new("a"), 0o755, true).unwrap();
        let b = fs.create(ROOT, OsStr::new("b"), 0o755, true).unwrap();
        let f = fs.create(a, OsStr::new("f"), 0o644, false).unwrap();
        fs.write(f, 0, b"x").unwrap();
        fs.sync_file(f).unwrap();
        fs.sync_dir(a).unwrap();
        fs.sync_dir(ROOT).unwrap();
        assert_eq!(fs::read(dir.path().join("a/f")).unwrap(), b"x");
        fs.rename(a, OsStr::new("f"), b, OsStr::new("g"), false).unwrap();
        fs.sync_dir(a).unwrap();
        assert!(!dir.path().join("a/f").exists());
        assert_eq!(fs::read(dir.path().join("b/g")).unwrap(), b"x");
        fs.power_cut();
        assert_eq!(fs.entries(b).unwrap().len(), 1);
        assert!(fs.entries(a).unwrap().is_empty());
    }

    #[test]
    fn an_unsynced_rename_over_a_file_is_undone_by_a_cut() {
        let (dir, mut fs) = fresh();
        let cur = fs.create(ROOT, OsStr::new("current"), 0o644, false).unwrap();
        fs.write(cur, 0, b"old").unwrap();
        fs.sync_file(cur).unwrap();
        fs.sync_dir(ROOT).unwrap();
        let tmp = fs.create(ROOT, OsStr::new("tmp"), 0o644, false).unwrap();
        fs.write(tmp, 0, b"new").unwrap();
        fs.sync_file(tmp).unwrap();
        fs.rename(ROOT, OsStr::new("tmp"), ROOT, OsStr::new("current"), false)
            .unwrap();
        assert_eq!(fs::read(dir.path().join("current")).unwrap(), b"old");
        fs.power_cut();
        let ino = fs.lookup(ROOT, OsStr::new("current")).unwrap();
        assert_eq!(fs.read(ino, 0, 10).unwrap(), b"old");
        // The same steps with the directory synced keep the new file.
        let tmp = fs.create(ROOT, OsStr::new("tmp"), 0o644, false).unwrap();
        fs.write(tmp, 0, b"new").unwrap();
        fs.sync_file(tmp).unwrap();
        fs.rename(ROOT, OsStr::new("tmp"), ROOT, OsStr::new("current"), false)
            .unwrap();
        fs.sync_dir(ROOT).unwrap();
        fs.power_cut();
        assert_eq!(fs::read(dir.path().join("current")).unwrap(), b"new");
        assert!(!dir.path().join("tmp").exists());
    }

    #[test]
    fn a_directory_emptied_by_a_move_then_removed_keeps_the_moved_file() {
        let (dir, mut fs) = fresh();
        let d = fs.create(ROOT, OsStr::new("d"), 0o755, true).unwrap();
        let f = fs.create(d, OsStr::new("f"), 0o644, false).unwrap();
        fs.write(f, 0, b"moved").unwrap();
        fs.sync_file(f).unwrap();
        fs.sync_dir(d).unwrap();
        fs.sync_dir(ROOT).unwrap();
        fs.rename(d, OsStr::new("f"), ROOT, OsStr::new("f"), false).unwrap();
        fs.remove(ROOT, OsStr::new("d"), true).unwrap();
        fs.forget(d, 1);
        fs.sync_dir(ROOT).unwrap();
        assert!(!dir.path().join("d").exists());
        assert_eq!(fs::read(dir.path().join("f")).unwrap(), b"moved");
        fs.power_cut();
        let f = fs.lookup(ROOT, OsStr::new("f")).unwrap();
        assert_eq!(fs.read(f, 0, 10).unwrap(), b"moved");
        assert_eq!(fs.lookup(ROOT, OsStr::new("d")), Err(ENOENT));
    }

    #[test]
    fn shrinking_then_growing_reads_zeros_and_a_cut_restores_the_synced_size() {
        let (dir, mut fs) = fresh();
        let f = fs.create(ROOT, OsStr::new("f"), 0o644, false).unwrap();
        fs.write(f, 0, &[7; 10_000]).unwrap();
        fs.sync_file(f).unwrap();
        fs.sync_dir(ROOT).unwrap();
        fs.set_size(f, 5).unwrap();
        fs.set_size(f, 9_000).unwrap();
        let now = fs.read(f, 0, 20_000).unwrap();
        assert_eq!(now.len(), 9_000);
        assert!(now[5..].iter().all(|&b| b == 0) && now[..5] == [7; 5]);
        fs.power_cut();
        assert_eq!(fs.read(f, 0, 20_000).unwrap(), vec![7; 10_000]);
        fs.set_size(f, 3).unwrap();
        fs.sync_file(f).unwrap();
        assert_eq!(fs::read(dir.path().join("f")).unwrap(), vec![7; 3]);
    }

    #[test]
    fn loading_a_backing_directory_makes_its_contents_durable() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("d")).unwrap();
        fs::write(dir.path().join("d/f"), b"there").unwrap();
        let mut fs = Fs::load(dir.path()).unwrap();
        let cut = fs.power_cut();
        assert_eq!(cut, Cut::default());
        let d = fs.lookup(ROOT, OsStr::new("d")).unwrap();
        let f = fs.lookup(d, OsStr::new("f")).unwrap();
        assert_eq!(fs.read(f, 0, 100).unwrap(), b"there");
    }
}
