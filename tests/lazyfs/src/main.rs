//! `lazyfs --backing DIR --mount MNT`: serves MNT as a pass-through to DIR in
//! which nothing reaches DIR before it is fsynced, and `kill -USR1` is a power
//! cut that drops everything that was not. A test tool for Concord's power
//! loss tests (tests/e2e/power_loss.rs); the model is in `fs.rs`.

mod fs;

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, UNIX_EPOCH};

use clap::Parser;
use fuser::{
    Config, Errno, FileAttr, FileHandle, FileType, Filesystem, FopenFlags, Generation, INodeNo, MountOption, OpenFlags,
    RenameFlags, ReplyAttr, ReplyCreate, ReplyData, ReplyDirectory, ReplyEmpty, ReplyEntry, ReplyOpen, ReplyStatfs,
    ReplyWrite, Request, TimeOrNow, WriteFlags,
};
use signal_hook::consts::{SIGINT, SIGTERM, SIGUSR1};

use crate::fs::{Fs, Kind, PAGE};

/// Serve MNT as a pass-through to DIR that keeps unsynced data in memory;
/// `kill -USR1` drops it (a power cut).
#[derive(Parser)]
#[command(name = "lazyfs", version)]
struct Args {
    /// Directory that holds what is durable.
    #[arg(long, value_name = "DIR")]
    backing: PathBuf,
    /// Where to mount (an existing, empty directory).
    #[arg(long, value_name = "MNT")]
    mount: PathBuf,
}

/// No kernel caching of entries or attributes: after a cut, every lookup
/// sees the new state.
const TTL: Duration = Duration::ZERO;

type Listing = Vec<(std::ffi::OsString, u64, bool)>;

struct LazyFs {
    fs: Arc<Mutex<Fs>>,
    uid: u32,
    gid: u32,
    /// Each open directory's entries as they were at `opendir`, so that a
    /// listing goes on at the right place while entries are removed.
    listings: Mutex<std::collections::HashMap<u64, Listing>>,
    next_handle: std::sync::atomic::AtomicU64,
}

impl LazyFs {
    fn lock(&self) -> MutexGuard<'_, Fs> {
        // A panic in one request poisons nothing the next one relies on.
        self.fs.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn attr(&self, fs: &Fs, ino: u64) -> Result<FileAttr, Errno> {
        let inode = fs.get(ino).map_err(Errno::from_i32)?;
        let (kind, size, nlink) = match &inode.kind {
            Kind::File(f) => (FileType::RegularFile, f.vol.size, 1),
            Kind::Dir(_) => (FileType::Directory, 0, 2),
        };
        Ok(FileAttr {
            ino: INodeNo(ino),
            size,
            blocks: fs.blocks(ino),
            atime: inode.mtime,
            mtime: inode.mtime,
            ctime: inode.mtime,
            crtime: UNIX_EPOCH,
            kind,
            perm: inode.mode as u16,
            nlink,
            uid: self.uid,
            gid: self.gid,
            rdev: 0,
            blksize: PAGE as u32,
            flags: 0,
        })
    }

    fn entry(&self, fs: &Fs, ino: Result<u64, i32>, reply: ReplyEntry) {
        match ino.map_err(Errno::from_i32).and_then(|ino| self.attr(fs, ino)) {
            Ok(attr) => reply.entry(&TTL, &attr, Generation(0)),
            Err(e) => reply.error(e),
        }
    }
}

fn empty(result: Result<(), i32>, reply: ReplyEmpty) {
    match result {
        Ok(()) => reply.ok(),
        Err(e) => reply.error(Errno::from_i32(e)),
    }
}

impl Filesystem for LazyFs {
    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        let mut fs = self.lock();
        let ino = fs.lookup(parent.0, name);
        self.entry(&fs, ino, reply);
    }

    fn forget(&self, _req: &Request, ino: INodeNo, nlookup: u64) {
        self.lock().forget(ino.0, nlookup);
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        let fs = self.lock();
        match self.attr(&fs, ino.0) {
            Ok(attr) => reply.attr(&TTL, &attr),
            Err(e) => reply.error(e),
        }
    }

    fn setattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        mode: Option<u32>,
        _uid: Option<u32>,
        _gid: Option<u32>,
        size: Option<u64>,
        _atime: Option<TimeOrNow>,
        _mtime: Option<TimeOrNow>,
        _ctime: Option<std::time::SystemTime>,
        _fh: Option<FileHandle>,
        _crtime: Option<std::time::SystemTime>,
        _chgtime: Option<std::time::SystemTime>,
        _bkuptime: Option<std::time::SystemTime>,
        _flags: Option<fuser::BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        let mut fs = self.lock();
        let mut done = Ok(());
        if let Some(size) = size {
            done = fs.set_size(ino.0, size);
        }
        if let (Ok(()), Some(mode)) = (done, mode) {
            done = fs.set_mode(ino.0, mode);
        }
        match done.map_err(Errno::from_i32).and_then(|()| self.attr(&fs, ino.0)) {
            Ok(attr) => reply.attr(&TTL, &attr),
            Err(e) => reply.error(e),
        }
    }

    fn mkdir(&self, _req: &Request, parent: INodeNo, name: &OsStr, mode: u32, umask: u32, reply: ReplyEntry) {
        let mut fs = self.lock();
        let ino = fs.create(parent.0, name, mode & !umask, true);
        self.entry(&fs, ino, reply);
    }

    fn unlink(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        empty(self.lock().remove(parent.0, name, false), reply);
    }

    fn rmdir(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        empty(self.lock().remove(parent.0, name, true), reply);
    }

    fn rename(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        newparent: INodeNo,
        newname: &OsStr,
        flags: RenameFlags,
        reply: ReplyEmpty,
    ) {
        if !(flags - RenameFlags::RENAME_NOREPLACE).is_empty() {
            return reply.error(Errno::EINVAL);
        }
        let no_replace = flags.contains(RenameFlags::RENAME_NOREPLACE);
        empty(
            self.lock().rename(parent.0, name, newparent.0, newname, no_replace),
            reply,
        );
    }

    fn open(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        match self.lock().get(ino.0) {
            // Direct I/O: the kernel keeps no page cache of its own that
            // could outlive a cut.
            Ok(_) => reply.opened(FileHandle(0), FopenFlags::FOPEN_DIRECT_IO),
            Err(e) => reply.error(Errno::from_i32(e)),
        }
    }

    fn read(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<fuser::LockOwner>,
        reply: ReplyData,
    ) {
        match self.lock().read(ino.0, offset, u64::from(size)) {
            Ok(data) => reply.data(&data),
            Err(e) => reply.error(Errno::from_i32(e)),
        }
    }

    fn write(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        data: &[u8],
        _write_flags: WriteFlags,
        flags: OpenFlags,
        _lock_owner: Option<fuser::LockOwner>,
        reply: ReplyWrite,
    ) {
        let mut fs = self.lock();
        let mut done = fs.write(ino.0, offset, data);
        // O_SYNC and O_DSYNC writes are durable when they return.
        if done.is_ok() && flags.0 & nix::libc::O_DSYNC != 0 {
            done = fs.sync_file(ino.0);
        }
        match done {
            Ok(()) => reply.written(data.len() as u32),
            Err(e) => reply.error(Errno::from_i32(e)),
        }
    }

    fn flush(&self, _req: &Request, _ino: INodeNo, _fh: FileHandle, _lock_owner: fuser::LockOwner, reply: ReplyEmpty) {
        // close() makes nothing durable.
        reply.ok();
    }

    fn fsync(&self, _req: &Request, ino: INodeNo, _fh: FileHandle, _datasync: bool, reply: ReplyEmpty) {
        empty(self.lock().sync_file(ino.0), reply);
    }

    fn opendir(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        let fs = self.lock();
        let entries = match fs.entries(ino.0) {
            Ok(e) => e,
            Err(e) => return reply.error(Errno::from_i32(e)),
        };
        let dots = [(".".into(), ino.0, true), ("..".into(), fs.parent_of(ino.0), true)];
        let fh = self.next_handle.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut listings = self.listings.lock().unwrap_or_else(|e| e.into_inner());
        listings.insert(fh, dots.into_iter().chain(entries).collect());
        reply.opened(FileHandle(fh), FopenFlags::empty());
    }

    fn releasedir(&self, _req: &Request, _ino: INodeNo, fh: FileHandle, _flags: OpenFlags, reply: ReplyEmpty) {
        self.listings.lock().unwrap_or_else(|e| e.into_inner()).remove(&fh.0);
        reply.ok();
    }

    fn readdir(&self, _req: &Request, _ino: INodeNo, fh: FileHandle, offset: u64, mut reply: ReplyDirectory) {
        let listings = self.listings.lock().unwrap_or_else(|e| e.into_inner());
        let Some(listing) = listings.get(&fh.0) else {
            return reply.error(Errno::EBADF);
        };
        for (i, (name, child, dir)) in listing.iter().enumerate().skip(offset as usize) {
            let (name, child, dir) = (name, *child, *dir);
            let kind = if dir {
                FileType::Directory
            } else {
                FileType::RegularFile
            };
            if reply.add(INodeNo(child), i as u64 + 1, kind, name) {
                break;
            }
        }
        reply.ok();
    }

    fn fsyncdir(&self, _req: &Request, ino: INodeNo, _fh: FileHandle, _datasync: bool, reply: ReplyEmpty) {
        empty(self.lock().sync_dir(ino.0), reply);
    }

    fn statfs(&self, _req: &Request, _ino: INodeNo, reply: ReplyStatfs) {
        let backing = self.lock().backing().to_path_buf();
        match nix::sys::statvfs::statvfs(&backing) {
            Ok(s) => reply.statfs(
                s.blocks(),
                s.blocks_free(),
                s.blocks_available(),
                s.files(),
                s.files_free(),
                s.block_size() as u32,
                s.name_max() as u32,
                s.fragment_size() as u32,
            ),
            Err(e) => reply.error(Errno::from_i32(e as i32)),
        }
    }

    fn create(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        _flags: i32,
        reply: ReplyCreate,
    ) {
        let mut fs = self.lock();
        let made = fs.create(parent.0, name, mode & !umask, false).map_err(Errno::from_i32);
        match made.and_then(|ino| self.attr(&fs, ino)) {
            Ok(attr) => reply.created(&TTL, &attr, Generation(0), FileHandle(0), FopenFlags::FOPEN_DIRECT_IO),
            Err(e) => reply.error(e),
        }
    }

    fn fallocate(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        length: u64,
        mode: i32,
        reply: ReplyEmpty,
    ) {
        let mut fs = self.lock();
        let size = match fs.get(ino.0) {
            Ok(inode) => match &inode.kind {
                Kind::File(f) => f.vol.size,
                Kind::Dir(_) => return reply.error(Errno::EISDIR),
            },
            Err(e) => return reply.error(Errno::from_i32(e)),
        };
        match mode {
            // Plain allocation grows the file like a write of zeros would.
            0 if offset + length > size => empty(fs.set_size(ino.0, offset + length), reply),
            0 | nix::libc::FALLOC_FL_KEEP_SIZE => reply.ok(),
            _ => reply.error(Errno::EOPNOTSUPP),
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lazyfs: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    // Signals first: a cut asked for before the mount is up must not kill us.
    let mut signals = signal_hook::iterator::Signals::new([SIGUSR1, SIGTERM, SIGINT])
        .map_err(|e| format!("cannot handle signals: {e}"))?;
    let fs = Fs::load(&args.backing)
        .map_err(|e| format!("cannot read the backing directory {}: {e}", args.backing.display()))?;
    let shared = Arc::new(Mutex::new(fs));
    let mut config = Config::default();
    config.mount_options = vec![
        MountOption::FSName("lazyfs".into()),
        MountOption::Subtype("lazyfs".into()),
        MountOption::DefaultPermissions,
    ];
    // No AutoUnmount: through fusermount3 it left SIGTERM's unmount hanging.
    // A lazyfs killed with -9 leaves its mount to `fusermount3 -uz`.
    let lazy = LazyFs {
        fs: shared.clone(),
        uid: nix::unistd::getuid().as_raw(),
        gid: nix::unistd::getgid().as_raw(),
        listings: Mutex::default(),
        next_handle: std::sync::atomic::AtomicU64::new(1),
    };
    let session = fuser::spawn_mount(lazy, &args.mount, &config)
        .map_err(|e| format!("cannot mount {}: {e}", args.mount.display()))?;
    eprintln!(
        "lazyfs: serving {} over {}",
        args.mount.display(),
        args.backing.display()
    );
    for signal in signals.forever() {
        if signal == SIGUSR1 {
            let cut = shared.lock().unwrap_or_else(|e| e.into_inner()).power_cut();
            // One write of the whole line: the tests read this log while it
            // is written and must never see half a report.
            let line = format!(
                "lazyfs: power cut: dropped {} bytes in {} files, {} directory changes\n",
                cut.bytes, cut.files, cut.dir_changes
            );
            let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
        } else {
            break;
        }
    }
    session
        .umount_and_join()
        .map_err(|e| format!("cannot unmount {}: {e}", args.mount.display()))?;
    eprintln!("lazyfs: unmounted {}", args.mount.display());
    Ok(())
}
