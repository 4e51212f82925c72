//! The sound-card output through cpal (ALSA on Linux).
//!
//! `CpalOutput::open` runs on the control thread and allocates everything; the data callback it
//! builds runs on cpal's audio thread inside `rt_guard` and only calls [`BlockPlayer::fill`].

use super::guard::rt_guard;
use super::player::BlockPlayer;
use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use thiserror::Error;

/// Why the sound card could not be used.
#[derive(Debug, Error)]
pub enum OutputError {
    /// No default output device, or none matching the name.
    #[error("no audio output device{}", .0.as_deref().map(|n| format!(" named \"{n}\"")).unwrap_or_default())]
    NoDevice(Option<String>),
    /// cpal refused to open or start the stream.
    #[error("audio device \"{device}\" could not be opened: {source}")]
    Cpal {
        /// The device that failed.
        device: String,
        /// cpal's error.
        source: cpal::Error,
    },
    /// Listing devices failed.
    #[error("could not list audio devices: {0}")]
    Enumerate(cpal::Error),
}

/// A device as `chronus devices` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The name users pass to `--device`.
    pub name: String,
    /// The device's id string.
    pub id: String,
    /// True for the host's default output.
    pub is_default: bool,
}

/// Keeps alsa-lib's own error messages ("Unknown PCM default", ...) off the terminal while the
/// calling thread probes devices; chronus reports one clear line of its own instead.
fn quiet_alsa() -> impl Drop {
    struct Quiet(#[allow(dead_code)] Option<std::rc::Rc<std::cell::RefCell<alsa::Output>>>);
    impl Drop for Quiet {
        fn drop(&mut self) {}
    }
    Quiet(alsa::Output::local_error_handler().ok())
}

/// Lists the output devices of the default host.
pub fn list_devices() -> Result<Vec<DeviceInfo>, OutputError> {
    let _quiet = quiet_alsa();
    let host = cpal::default_host();
    let default_id = host.default_output_device().and_then(|d| d.id().ok());
    let mut out = Vec::new();
    for device in host.output_devices().map_err(OutputError::Enumerate)? {
        let id = device.id().ok();
        let name = device
            .description()
            .map(|d| d.name().to_string())
            .unwrap_or_else(|_| device.to_string());
        out.push(DeviceInfo {
            name,
            id: id.as_ref().map(|i| i.to_string()).unwrap_or_default(),
            is_default: id.is_some() && id == default_id,
        });
    }
    Ok(out)
}

/// An open, playing cpal stream.
pub struct CpalOutput {
    _stream: cpal::Stream,
    /// The device's name.
    pub device_name: String,
    /// Frames per device buffer (0 = the device's default).
    pub buffer_frames: u32,
    /// Errors cpal reported from its audio thread (xruns and the like).
    pub stream_errors: Arc<AtomicU64>,
}

fn find_device(host: &cpal::Host, name: Option<&str>) -> Result<cpal::Device, OutputError> {
    match name {
        None => host
            .default_output_device()
            .ok_or(OutputError::NoDevice(None)),
        Some(wanted) => {
            let devices = host.output_devices().map_err(OutputError::Enumerate)?;
            for device in devices {
                let label = device
                    .description()
                    .map(|d| d.name().to_string())
                    .unwrap_or_default();
                let id = device.id().map(|i| i.to_string()).unwrap_or_default();
                if label.eq_ignore_ascii_case(wanted) || id.eq_ignore_ascii_case(wanted) {
                    return Ok(device);
                }
            }
            Err(OutputError::NoDevice(Some(wanted.to_string())))
        }
    }
}

impl CpalOutput {
    /// Opens `device` (or the default), stereo f32 at `sample_rate`, with a fixed buffer of
    /// `buffer_frames` frames when given, and starts playing `player`.
    pub fn open(
        device: Option<&str>,
        sample_rate: u32,
        buffer_frames: Option<u32>,
        mut player: BlockPlayer,
    ) -> Result<CpalOutput, OutputError> {
        let _quiet = quiet_alsa();
        let host = cpal::default_host();
        let dev = find_device(&host, device)?;
        let device_name = dev
            .description()
            .map(|d| d.name().to_string())
            .unwrap_or_else(|_| device.unwrap_or("default").to_string());
        let cpal_err = |source| OutputError::Cpal {
            device: device_name.clone(),
            source,
        };
        // Ask for the device's default config first: it fails cleanly when nothing is there.
        let default = dev.default_output_config().map_err(cpal_err)?;
        let channels = default.channels().max(1);
        let config = cpal::StreamConfig {
            channels,
            sample_rate,
            buffer_size: match buffer_frames {
                Some(n) => cpal::BufferSize::Fixed(n),
                None => cpal::BufferSize::Default,
            },
        };
        let stream_errors = Arc::new(AtomicU64::new(0));
        let errors = stream_errors.clone();
        let ch = channels as usize;
        let stream = dev
            .build_output_stream::<f32, _, _>(
                config,
                move |data: &mut [f32], _info: &cpal::OutputCallbackInfo| {
                    rt_guard(|| player.fill(data, ch));
                },
                move |_err| {
                    errors.fetch_add(1, Ordering::Relaxed);
                },
                None,
            )
            .map_err(cpal_err)?;
        stream.play().map_err(cpal_err)?;
        Ok(CpalOutput {
            _stream: stream,
            device_name,
            buffer_frames: buffer_frames.unwrap_or(0),
            stream_errors,
        })
    }
}
