pub mod client;
pub mod signer;
pub mod stand_in;
