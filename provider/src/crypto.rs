//! The one TLS crypto provider, for the plugin's own TLS (Terraform talking to the provider) and
//! for the HTTPS client (the provider talking to WorkOS).
//!
//! ring supplies randomness, key exchange, ciphers and the plugin's server key; aws-lc-rs only
//! verifies signatures, because Terraform's client certificate is ECDSA P-521, which ring does
//! not verify. Verifying draws no randomness, so aws-lc's random generator, which seeds itself
//! from a CPU-jitter source on first use, never starts: with aws-lc for everything, that seeding
//! was 99 % of the instructions from process start to the handshake line (callgrind: 421 million
//! of 421 million; 2.4 million without it), paid on every one of Terraform's provider starts.

use rustls::crypto::CryptoProvider;

/// ring's provider with aws-lc-rs's signature verification algorithms.
pub fn provider() -> CryptoProvider {
    CryptoProvider {
        signature_verification_algorithms: rustls::crypto::aws_lc_rs::default_provider()
            .signature_verification_algorithms,
        ..rustls::crypto::ring::default_provider()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_p521_and_draws_randomness_from_ring() {
        let p = provider();
        assert!(p
            .signature_verification_algorithms
            .supported_schemes()
            .contains(&rustls::SignatureScheme::ECDSA_NISTP521_SHA512));
        let ring = rustls::crypto::ring::default_provider();
        assert_eq!(p.kx_groups.len(), ring.kx_groups.len());
        assert_eq!(p.cipher_suites.len(), ring.cipher_suites.len());
        let mut buf = [0u8; 16];
        p.secure_random.fill(&mut buf).expect("random bytes");
        assert_ne!(buf, [0u8; 16]);
    }
}
