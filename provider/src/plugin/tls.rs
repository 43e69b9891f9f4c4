//! AutoMTLS: a fresh server certificate per process, and a client-certificate verifier that
//! accepts exactly the certificate Terraform passed in `PLUGIN_CLIENT_CERT`.
//!
//! Terraform's client certificate is self-signed with `CA:TRUE`, which the stock WebPKI
//! verifier rejects as `CaUsedAsEndEntity`; pinning the exact DER and checking the handshake
//! signature with the crypto provider is both stricter and accepted.

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, Error, ServerConfig,
    SignatureScheme,
};
use std::sync::Arc;

/// The server side of AutoMTLS.
pub struct AutoMtls {
    pub config: Arc<ServerConfig>,
    /// DER of the server certificate (goes, base64-encoded, into the handshake line).
    pub server_cert_der: Vec<u8>,
}

/// Build the TLS configuration from the client certificate PEM.
pub fn auto_mtls(client_cert_pem: &str) -> Result<AutoMtls, String> {
    let client_der = CertificateDer::from_pem_slice(client_cert_pem.as_bytes())
        .map_err(|e| format!("PLUGIN_CLIENT_CERT is not a PEM certificate: {e}"))?;

    let key = ServerKey::generate()?;
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .map_err(|e| format!("server certificate parameters: {e}"))?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "HashiCorp");
    // rcgen draws a serial itself only with a crypto backend of its own, which it has only
    // where the tests' dev-dependency turns one on: the shipped binary gives it one.
    params.serial_number = Some(key.serial()?);
    let cert = params
        .self_signed(&key)
        .map_err(|e| format!("signing the server certificate failed: {e}"))?;
    let server_cert_der = cert.der().to_vec();

    let provider = Arc::new(crate::crypto::provider());
    let verifier = PinnedClientCert::new(client_der.to_vec(), &provider);
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS configuration: {e}"))?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(
            vec![CertificateDer::from(server_cert_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.pkcs8.clone())),
        )
        .map_err(|e| format!("TLS configuration: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(AutoMtls {
        config: Arc::new(config),
        server_cert_der,
    })
}

/// The plugin's server key (ECDSA P-256), made and used with ring: see [`crate::crypto`].
struct ServerKey {
    pair: ring::signature::EcdsaKeyPair,
    pkcs8: Vec<u8>,
    rng: ring::rand::SystemRandom,
}

impl ServerKey {
    fn generate() -> Result<ServerKey, String> {
        let alg = &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING;
        let rng = ring::rand::SystemRandom::new();
        let failed = |e: &dyn std::fmt::Display| format!("generating the server key failed: {e}");
        let pkcs8 = ring::signature::EcdsaKeyPair::generate_pkcs8(alg, &rng)
            .map_err(|e| failed(&e))?
            .as_ref()
            .to_vec();
        let pair =
            ring::signature::EcdsaKeyPair::from_pkcs8(alg, &pkcs8, &rng).map_err(|e| failed(&e))?;
        Ok(ServerKey { pair, pkcs8, rng })
    }

    /// A random positive 128-bit certificate serial number.
    fn serial(&self) -> Result<rcgen::SerialNumber, String> {
        use ring::rand::SecureRandom;
        let mut bytes = [0u8; 16];
        self.rng
            .fill(&mut bytes)
            .map_err(|e| format!("drawing a certificate serial failed: {e}"))?;
        bytes[0] = (bytes[0] & 0x7f) | 0x01;
        Ok(rcgen::SerialNumber::from_slice(&bytes))
    }
}

impl rcgen::PublicKeyData for ServerKey {
    fn der_bytes(&self) -> &[u8] {
        use ring::signature::KeyPair;
        self.pair.public_key().as_ref()
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}

impl rcgen::SigningKey for ServerKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        self.pair
            .sign(&self.rng, msg)
            .map(|s| s.as_ref().to_vec())
            .map_err(|_| rcgen::Error::RingUnspecified)
    }
}

/// Accepts exactly one client certificate, by its DER bytes.
#[derive(Debug)]
pub struct PinnedClientCert {
    der: Vec<u8>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientCert {
    pub fn new(der: Vec<u8>, provider: &CryptoProvider) -> Self {
        Self {
            der,
            algorithms: provider.signature_verification_algorithms,
        }
    }
}

impl ClientCertVerifier for PinnedClientCert {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        if end_entity.as_ref() == self.der.as_slice() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
