//! ALSA configurations in temp dirs for child processes (test thread).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `pcm.!default` is ALSA's `null` PCM: a real stream with exact buffer sizes, never paced.
pub const NULL_DEFAULT_ASOUNDRC: &str = r#"
pcm.!default {
    type null
    hint { show on description "chronus test: ALSA null PCM" }
}
"#;

/// `pcm.!default` is JACK's `system:playback_1/2` through ALSA's `jack` plugin.
pub const JACK_DEFAULT_ASOUNDRC: &str = r#"
pcm.!default {
    type jack
    playback_ports {
        0 system:playback_1
        1 system:playback_2
    }
    hint { show on description "chronus test: JACK playback ports" }
}
"#;

/// `pcm.!default` writes what is played to `@CAPTURE@` (raw, in the stream's own format) and
/// passes it on to JACK's `system:playback_1/2`.
pub const JACK_CAPTURE_ASOUNDRC: &str = r#"
pcm.!default {
    type file
    slave.pcm "chronus_jack"
    file "@CAPTURE@"
    format "raw"
    hint { show on description "chronus test: capture to a raw file, then JACK" }
}
pcm.chronus_jack {
    type jack
    playback_ports {
        0 system:playback_1
        1 system:playback_2
    }
    hint { show on description "chronus test: JACK playback ports" }
}
"#;

/// An ALSA configuration in a temp dir, for a child process.
pub struct AlsaConfig {
    dir: tempfile::TempDir,
}

impl AlsaConfig {
    /// No configuration at all: ALSA knows no `default` PCM (like a machine without a card).
    pub fn empty() -> AlsaConfig {
        let dir = tempfile::Builder::new()
            .prefix("chronus-alsa-")
            .tempdir()
            .expect("create a temp dir for the ALSA config");
        fs::create_dir_all(dir.path().join("xdg/alsa")).expect("create xdg/alsa");
        fs::create_dir_all(dir.path().join("home")).expect("create home");
        AlsaConfig { dir }
    }

    /// An `asoundrc` with the given text, in which `@CAPTURE@` stands for
    /// [`AlsaConfig::capture_path`] (for a `file` PCM's `file "@CAPTURE@"`).
    pub fn with_asoundrc(text: &str) -> AlsaConfig {
        let config = AlsaConfig::empty();
        let capture = alsa_string(&config.capture_path());
        fs::write(config.asoundrc_path(), text.replace("@CAPTURE@", &capture))
            .expect("write asoundrc");
        config
    }

    /// The default PCM is ALSA's `null` PCM.
    pub fn null_default() -> AlsaConfig {
        AlsaConfig::with_asoundrc(NULL_DEFAULT_ASOUNDRC)
    }

    /// The default PCM is an ALSA `jack` PCM on `system:playback_1/2` of the JACK server named
    /// by `JACK_DEFAULT_SERVER` ([`JackServer::apply`]).
    pub fn jack_default() -> AlsaConfig {
        AlsaConfig::with_asoundrc(JACK_DEFAULT_ASOUNDRC)
    }

    /// The default PCM is an ALSA `file` PCM that writes everything played to
    /// [`AlsaConfig::capture_path`] (raw interleaved f32 little-endian, the format cpal opens
    /// the JACK PCM with) in front of an ALSA `jack` PCM on `system:playback_1/2`.
    /// The JACK server is the one named by `JACK_DEFAULT_SERVER` ([`JackServer::apply`]).
    pub fn jack_with_capture() -> AlsaConfig {
        AlsaConfig::with_asoundrc(JACK_CAPTURE_ASOUNDRC)
    }

    /// The folder `XDG_CONFIG_HOME` points at.
    pub fn config_home(&self) -> PathBuf {
        self.dir.path().join("xdg")
    }

    /// The `asoundrc` file alsa-lib reads.
    pub fn asoundrc_path(&self) -> PathBuf {
        self.config_home().join("alsa/asoundrc")
    }

    /// Where a `file` PCM writes what was played.
    pub fn capture_path(&self) -> PathBuf {
        self.dir.path().join("capture.raw")
    }

    /// A scratch folder that lives as long as this config.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Points `cmd` at this configuration (and at no JACK server: use [`JackServer::apply`]
    /// after this for one).
    pub fn apply<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        cmd.env("XDG_CONFIG_HOME", self.config_home())
            .env("HOME", self.dir.path().join("home"))
            .env_remove("ALSA_CONFIG_PATH")
            .env_remove("JACK_DEFAULT_SERVER")
            .env("JACK_NO_START_SERVER", "1")
    }
}

/// A path as an ALSA config string literal body (quotes and backslashes escaped).
fn alsa_string(path: &Path) -> String {
    path.display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}
