//! Photo files on disk, never in the database.
//!
//! ```text
//! <KOE_DATA>/photos/partial/<photo_id>   an upload in progress (appended chunk by chunk)
//! <KOE_DATA>/photos/<ab>/<sha256>        a complete photo, one file per content
//! ```
//!
//! A complete photo appears at its final name only by `rename` of a verified, fsynced
//! partial file, so a reader never sees half a photo. Two uploads of the same bytes end
//! in the same file: it is stored once. Every call runs the file system work on the
//! blocking pool.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use koe_core::photo::{ImageType, SNIFF_BYTES};
use sha2::{Digest, Sha256};
use tokio::sync::{Mutex, OwnedMutexGuard};
use uuid::Uuid;

/// Uploads of the same photo id are handled one at a time; ids hash onto this many locks.
const LOCK_STRIPES: usize = 64;

/// The photo folder. Cheap to clone.
#[derive(Clone, Debug)]
pub struct PhotoBlobs {
    root: PathBuf,
    locks: Arc<Vec<Arc<Mutex<()>>>>,
}

/// How a finished upload turned out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// Verified and at its final name.
    Stored,
    /// The bytes are not the declared SHA-256; the partial file is gone.
    ShaMismatch,
    /// The bytes do not start like the declared image type; the partial file is gone.
    NotImage,
}

/// What is stored for a SHA-256: its length and its first bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub len: u64,
    pub start: Vec<u8>,
}

/// SHA-256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// SHA-256 of a file as lowercase hex, and its first bytes.
fn sha256_of_file(path: &Path) -> io::Result<(String, Vec<u8>)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut start = Vec::with_capacity(SNIFF_BYTES);
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        if start.len() < SNIFF_BYTES {
            let take = (SNIFF_BYTES - start.len()).min(n);
            start.extend_from_slice(&buf[..take]);
        }
        hasher.update(&buf[..n]);
    }
    Ok((hex(&hasher.finalize()), start))
}

/// Makes a file's directory entry durable (a rename or a new file in it).
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| io::Error::other(format!("file task failed: {e}")))?
}

fn bad_sha(sha256: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a lowercase sha256: {sha256:?}"),
    )
}

impl PhotoBlobs {
    /// Photos under `root` (`<KOE_DATA>/photos`); folders are made when first needed.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            locks: Arc::new((0..LOCK_STRIPES).map(|_| Arc::default()).collect()),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Holds off every other upload step of this photo id in this process.
    pub async fn lock(&self, photo_id: Uuid) -> OwnedMutexGuard<()> {
        let stripe = usize::from(photo_id.as_bytes()[15]) % LOCK_STRIPES;
        self.locks[stripe].clone().lock_owned().await
    }

    fn partial_path(&self, photo_id: Uuid) -> PathBuf {
        self.root
            .join("partial")
            .join(photo_id.simple().to_string())
    }

    /// Where the photo with this (lowercase hex) SHA-256 lives once complete.
    pub fn final_path(&self, sha256: &str) -> io::Result<PathBuf> {
        let lower_hex = sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !lower_hex {
            return Err(bad_sha(sha256));
        }
        Ok(self.root.join(&sha256[..2]).join(sha256))
    }

    /// The stored photo with this SHA-256, if there is one.
    pub async fn stored(&self, sha256: &str) -> io::Result<Option<Stored>> {
        let path = self.final_path(sha256)?;
        blocking(move || {
            let mut file = match File::open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(e),
            };
            let len = file.metadata()?.len();
            let mut start = Vec::with_capacity(SNIFF_BYTES);
            (&mut file)
                .take(SNIFF_BYTES as u64)
                .read_to_end(&mut start)?;
            Ok(Some(Stored { len, start }))
        })
        .await
    }

    /// How many bytes the partial file of an upload holds (0 if there is none).
    pub async fn partial_len(&self, photo_id: Uuid) -> io::Result<u64> {
        let path = self.partial_path(photo_id);
        blocking(move || match fs::metadata(&path) {
            Ok(m) => Ok(m.len()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(e),
        })
        .await
    }

    /// Writes `chunk` at `offset` of the partial file, dropping anything after `offset`
    /// first (the rest of a chunk whose write failed), and makes it durable.
    pub async fn write_chunk(&self, photo_id: Uuid, offset: u64, chunk: Vec<u8>) -> io::Result<()> {
        let path = self.partial_path(photo_id);
        blocking(move || {
            let dir = path.parent().unwrap_or(Path::new("."));
            let new_dir = !dir.exists();
            fs::create_dir_all(dir)?;
            let mut file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)?;
            file.set_len(offset)?;
            file.seek(SeekFrom::Start(offset))?;
            file.write_all(&chunk)?;
            file.sync_data()?;
            if new_dir || offset == 0 {
                sync_dir(dir)?;
            }
            Ok(())
        })
        .await
    }

    /// Removes an upload's partial file, if any.
    pub async fn discard(&self, photo_id: Uuid) -> io::Result<()> {
        let path = self.partial_path(photo_id);
        blocking(move || match fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        })
        .await
    }

    /// Verifies a fully received upload against its declared SHA-256 and type and moves
    /// it to its final name (replacing, atomically, a file of the same content).
    pub async fn finish(
        &self,
        photo_id: Uuid,
        sha256: &str,
        declared: ImageType,
    ) -> io::Result<Finish> {
        let partial = self.partial_path(photo_id);
        let target = self.final_path(sha256)?;
        let sha256 = sha256.to_string();
        blocking(move || {
            let (actual, start) = sha256_of_file(&partial)?;
            let verdict = if actual != sha256 {
                Finish::ShaMismatch
            } else if ImageType::sniff(&start) != Some(declared) {
                Finish::NotImage
            } else {
                Finish::Stored
            };
            if verdict != Finish::Stored {
                fs::remove_file(&partial)?;
                return Ok(verdict);
            }
            let dir = target.parent().unwrap_or(Path::new("."));
            fs::create_dir_all(dir)?;
            fs::rename(&partial, &target)?;
            sync_dir(dir)?;
            Ok(Finish::Stored)
        })
        .await
    }

    /// The bytes of a stored photo.
    pub async fn read(&self, sha256: &str) -> io::Result<Vec<u8>> {
        let path = self.final_path(sha256)?;
        blocking(move || fs::read(path)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(body: &[u8]) -> Vec<u8> {
        let mut v = vec![
            0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1,
        ];
        v.extend_from_slice(body);
        v
    }

    fn temp_root() -> PathBuf {
        std::env::temp_dir().join(format!("koe-blob-{}", Uuid::new_v4().simple()))
    }

    #[test]
    fn sha256_of_known_inputs() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn final_names_take_only_lowercase_sha256() {
        let blobs = PhotoBlobs::new("/data/photos");
        let sha = sha256_hex(b"abc");
        assert_eq!(
            blobs.final_path(&sha).unwrap(),
            PathBuf::from(format!("/data/photos/ba/{sha}"))
        );
        for bad in [
            sha.to_uppercase(),
            "../../etc/passwd".to_string(),
            String::new(),
            format!("{}/", &sha[..63]),
        ] {
            assert!(blobs.final_path(&bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn chunks_verify_and_land_at_the_sha256_name() {
        let root = temp_root();
        let blobs = PhotoBlobs::new(&root);
        let id = Uuid::new_v4();
        let bytes = jpeg(&[7; 5000]);
        let sha = sha256_hex(&bytes);
        blobs
            .write_chunk(id, 0, bytes[..100].to_vec())
            .await
            .unwrap();
        // A broken write left junk after 100; the next chunk at 100 drops it.
        blobs.write_chunk(id, 100, vec![0; 50]).await.unwrap();
        blobs
            .write_chunk(id, 100, bytes[100..].to_vec())
            .await
            .unwrap();
        assert_eq!(blobs.partial_len(id).await.unwrap(), bytes.len() as u64);
        assert_eq!(
            blobs.finish(id, &sha, ImageType::Jpeg).await.unwrap(),
            Finish::Stored
        );
        assert_eq!(blobs.partial_len(id).await.unwrap(), 0);
        assert_eq!(blobs.read(&sha).await.unwrap(), bytes);
        let stored = blobs.stored(&sha).await.unwrap().unwrap();
        assert_eq!(stored.len, bytes.len() as u64);
        assert_eq!(ImageType::sniff(&stored.start), Some(ImageType::Jpeg));
        let _ = fs::remove_dir_all(root);
    }

    #[tokio::test]
    async fn wrong_hash_or_type_is_discarded() {
        let root = temp_root();
        let blobs = PhotoBlobs::new(&root);
        let bytes = jpeg(b"photo");
        let id = Uuid::new_v4();
        blobs.write_chunk(id, 0, bytes.clone()).await.unwrap();
        assert_eq!(
            blobs
                .finish(id, &sha256_hex(b"other"), ImageType::Jpeg)
                .await
                .unwrap(),
            Finish::ShaMismatch
        );
        assert_eq!(blobs.partial_len(id).await.unwrap(), 0);
        blobs.write_chunk(id, 0, bytes.clone()).await.unwrap();
        assert_eq!(
            blobs
                .finish(id, &sha256_hex(&bytes), ImageType::Png)
                .await
                .unwrap(),
            Finish::NotImage
        );
        assert_eq!(blobs.partial_len(id).await.unwrap(), 0);
        assert_eq!(blobs.stored(&sha256_hex(&bytes)).await.unwrap(), None);
        blobs.discard(id).await.unwrap();
        let _ = fs::remove_dir_all(root);
    }
}
