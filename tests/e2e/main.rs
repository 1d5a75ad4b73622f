//! End-to-end tests: real `concord` processes, real fjall directories, real
//! HTTP on 127.0.0.1. The binary is `target/<profile>/concord`, built by
//! `cargo test --workspace` (or set `CONCORD_BIN`).

mod chaos;
mod lazyfs;
mod netproxy;
mod support;

mod backup;
mod cli;
mod cli_formats;
mod cli_front;
mod cluster;
mod contexts;
mod data;
mod disk;
mod durability;
mod failpoints;
mod faults;
mod front;
mod hardening;
mod http;
mod malformed;
mod ops;
mod overload;
mod power_loss;
mod recover;
mod routes;
mod security;
mod watch;
