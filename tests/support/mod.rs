pub mod client;
pub mod operations;
