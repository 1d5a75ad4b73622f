//! TLS with rustls (the `ring` provider): the server configurations of the
//! two listeners and the client configuration of every call a node makes
//! (Raft, joins, relays to the leader).
//!
//! - Certificates and keys are PEM files. A [`Reloading`] key pair is read
//!   again on SIGHUP and when either file's modification time changes
//!   ([`watch`]); a pair that fails to load is logged and the old one kept.
//!   CA files are read once, at start-up.
//! - The peer listener requires a client certificate that chains to
//!   `--peer-trusted-ca` (mutual TLS) and names a member's peer host
//!   (`peer/server.rs` `check_peer_name`); a node's calls verify the
//!   server's certificate against the same CA and the host of the URL they
//!   call, so a peer certificate must name its peer URL's host. The cluster secret
//!   is checked on top of that: any certificate of the CA is not enough.
//! - Every call a node makes carries the cluster secret, so with peer TLS
//!   it trusts only `--peer-trusted-ca`, for client URLs too: a client
//!   listener's CA must be in that bundle for relays and joins.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use rustls::client::ResolvesClientCert;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert, WebPkiClientVerifier};
use rustls::sign::CertifiedKey;
use rustls::{RootCertStore, SignatureScheme};

use crate::config::TlsFiles;

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn bad(path: &Path, what: &str, e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("{what} {}: {e}", path.display()))
}

fn load_pair(cert: &Path, key: &Path) -> io::Result<CertifiedKey> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| bad(cert, "reading certificate", e))?;
    if chain.is_empty() {
        return Err(bad(cert, "reading certificate", "no certificate in the file"));
    }
    let der = PrivateKeyDer::from_pem_file(key).map_err(|e| bad(key, "reading private key", e))?;
    CertifiedKey::from_der(chain, der, &provider()).map_err(|e| bad(key, "loading private key", e))
}

/// Reads the CA certificates in `path`.
pub(crate) fn roots(path: &Path) -> io::Result<RootCertStore> {
    let mut store = RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| bad(path, "reading CA certificates", e))?;
    let (added, _) = store.add_parsable_certificates(certs);
    if added == 0 {
        return Err(bad(
            path,
            "reading CA certificates",
            "no usable certificate in the file",
        ));
    }
    Ok(store)
}

/// A certificate and key read from files, replaced by [`Reloading::reload`].
#[derive(Debug)]
pub(crate) struct Reloading {
    cert: PathBuf,
    key: PathBuf,
    current: RwLock<Arc<CertifiedKey>>,
    /// The files' modification times when last read.
    stamp: Mutex<Option<(SystemTime, SystemTime)>>,
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

impl Reloading {
    fn open(cert: &Path, key: &Path) -> io::Result<Arc<Reloading>> {
        let stamp = modified(cert).zip(modified(key));
        Ok(Arc::new(Reloading {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
            current: RwLock::new(Arc::new(load_pair(cert, key)?)),
            stamp: Mutex::new(stamp),
        }))
    }

    fn get(&self) -> Arc<CertifiedKey> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Reads the files again if `force` or if they changed since.
    fn reload(&self, force: bool) {
        let stamp = modified(&self.cert).zip(modified(&self.key));
        {
            let mut last = self.stamp.lock().unwrap_or_else(|e| e.into_inner());
            if !force && *last == stamp {
                return;
            }
            *last = stamp;
        }
        match load_pair(&self.cert, &self.key) {
            Ok(pair) => {
                *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(pair);
                tracing::info!(cert = %self.cert.display(), "reloaded the TLS certificate");
            }
            Err(e) => tracing::error!(error = %e, "reloading the TLS certificate failed; keeping the old one"),
        }
    }
}

impl ResolvesServerCert for Reloading {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.get())
    }
}

impl ResolvesClientCert for Reloading {
    fn resolve(&self, _: &[&[u8]], _: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        Some(self.get())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// The TLS configurations of a node, from its `--tls-*`, `--client-ca` and
/// `--peer-*` files.
pub(crate) struct NodeTls {
    /// The client listener's, with `--tls-cert`.
    pub(crate) client: Option<tokio_rustls::TlsAcceptor>,
    /// The peer listener's (mutual TLS), with `--peer-tls-cert`.
    pub(crate) peer: Option<tokio_rustls::TlsAcceptor>,
    /// For every call this node makes (Raft, joins, relays to the leader's
    /// client URL): trusts only `--peer-trusted-ca` with peer TLS, else the
    /// system's roots; shows the peer certificate (when there is one) to
    /// servers that ask for a client certificate.
    pub(crate) outgoing: rustls::ClientConfig,
    /// The key pairs [`watch`] reloads.
    pub(crate) reloading: Vec<Arc<Reloading>>,
}

fn server_config(pair: Arc<Reloading>, client_roots: Option<RootCertStore>) -> io::Result<tokio_rustls::TlsAcceptor> {
    let builder = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?;
    let builder = match client_roots {
        Some(roots) => builder.with_client_cert_verifier(
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
                .build()
                .map_err(io::Error::other)?,
        ),
        None => builder.with_no_client_auth(),
    };
    let mut config = builder.with_cert_resolver(pair);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

impl NodeTls {
    pub(crate) fn load(files: &TlsFiles) -> io::Result<NodeTls> {
        let mut reloading = Vec::new();
        let client = match (&files.cert, &files.key) {
            (Some(cert), Some(key)) => {
                let pair = Reloading::open(cert, key)?;
                reloading.push(pair.clone());
                let ca = files.client_ca.as_deref().map(roots).transpose()?;
                Some(server_config(pair, ca)?)
            }
            _ => None,
        };
        // Outgoing calls carry the cluster secret. With peer TLS they trust
        // the peer CA only (a public certificate must not get the secret);
        // without it, the system's roots (for https:// client URLs).
        let mut trusted = RootCertStore::empty();
        if files.peer_ca.is_none() {
            trusted.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        }
        let outgoing = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?;
        let (peer, outgoing) = match (&files.peer_cert, &files.peer_key, &files.peer_ca) {
            (Some(cert), Some(key), Some(ca)) => {
                let pair = Reloading::open(cert, key)?;
                reloading.push(pair.clone());
                let ca = roots(ca)?;
                let acceptor = server_config(pair.clone(), Some(ca.clone()))?;
                trusted = ca;
                (
                    Some(acceptor),
                    outgoing.with_root_certificates(trusted).with_client_cert_resolver(pair),
                )
            }
            _ => (None, outgoing.with_root_certificates(trusted).with_no_client_auth()),
        };
        Ok(NodeTls {
            client,
            peer,
            outgoing,
            reloading,
        })
    }

    /// A reqwest client for this node's calls, with the outgoing TLS
    /// configuration for `https://` URLs.
    pub(crate) fn reqwest(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        builder.use_preconfigured_tls(self.outgoing.clone())
    }
}

/// Reloads the key pairs on SIGHUP, and every two seconds if their files
/// changed. Runs until the node stops.
pub(crate) async fn watch(pairs: Vec<Arc<Reloading>>) {
    if pairs.is_empty() {
        return;
    }
    let mut hup = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!(error = %e, "cannot watch SIGHUP; certificates reload only when their files change");
            None
        }
    };
    let mut tick = tokio::time::interval(Duration::from_secs(2));
    loop {
        let force = tokio::select! {
            _ = tick.tick() => false,
            Some(()) = async { match hup.as_mut() { Some(h) => h.recv().await, None => std::future::pending().await } } => true,
        };
        for pair in &pairs {
            pair.reload(force);
        }
    }
}
