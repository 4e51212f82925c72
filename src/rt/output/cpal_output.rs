//! The sound-card output through cpal (ALSA on Linux).
//!
//! `CpalOutput::open` and `list_devices` run on the control thread and allocate everything; the
//! data callback `open` builds runs on cpal's audio thread inside `rt_guard` and only calls
//! [`BlockPlayer::fill`] (plus a sample conversion into a buffer allocated up front when the
//! device does not take f32).

use crate::rt::guard::rt_guard;
use crate::rt::meters::Meters;
use crate::rt::output::block_player::BlockPlayer;
use crate::rt::output::guarded_fill::fill_guarded;
use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample, SupportedStreamConfigRange};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use thiserror::Error;

/// The name of the host's default output, as `--device` takes it.
pub const DEFAULT_DEVICE: &str = "default";

/// Frames the conversion buffer holds when the device's buffer size is not fixed.
const CONVERSION_FRAMES: usize = 8192;

/// Why the sound card could not be used.
#[derive(Debug, Error)]
pub enum OutputError {
    /// No default output device, or none matching the name.
    #[error("no audio output device{}; see `chronus devices`", .0.as_deref().map(|n| format!(" named \"{n}\"")).unwrap_or_default())]
    NoDevice(Option<String>),
    /// cpal refused to open or start the stream.
    #[error("{}", describe_cpal_error(device, reason))]
    Cpal {
        /// The device that failed.
        device: String,
        /// cpal's error.
        reason: cpal::Error,
    },
    /// The device plays none of the sample formats chronus can write at the asked rate.
    #[error("audio device \"{device}\" cannot play {rate} Hz in a sample format chronus writes (f32, f64, i32, i16, u16)")]
    UnsupportedConfig {
        /// The device.
        device: String,
        /// The sample rate asked for.
        rate: u32,
    },
    /// Listing devices failed.
    #[error("could not list audio devices: {0}")]
    Enumerate(cpal::Error),
}

fn describe_cpal_error(device: &str, reason: &cpal::Error) -> String {
    match reason.kind() {
        cpal::ErrorKind::DeviceNotAvailable => format!(
            "audio device \"{device}\" is not available (no sound card or server behind it)"
        ),
        _ => format!("audio device \"{device}\" could not be opened: {reason}"),
    }
}

/// A device as `chronus devices` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The name users pass to `--device` (the ALSA PCM name on Linux, e.g. `default`, `null`).
    pub name: String,
    /// The device's full id string (`alsa:null`); `--device` takes it too.
    pub id: String,
    /// The host's human description ("Discard all samples ...").
    pub description: String,
    /// True for the host's default output.
    pub is_default: bool,
}

impl fmt::Display for DeviceInfo {
    /// One line: a `*` for the default, the name for `--device`, the description.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = if self.is_default { '*' } else { ' ' };
        write!(f, "{mark} {:<24}", self.name)?;
        if !self.description.is_empty() && self.description != self.name {
            write!(f, " {}", self.description)?;
        }
        Ok(())
    }
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

/// The short name of a device (`null` for `alsa:null`) and its full id.
fn device_names(device: &cpal::Device) -> (String, String) {
    match device.id() {
        Ok(id) => (id.id().to_string(), id.to_string()),
        Err(_) => (device.to_string(), String::new()),
    }
}

fn device_description(device: &cpal::Device) -> String {
    device
        .description()
        .map(|d| d.name().to_string())
        .unwrap_or_default()
}

/// True for devices that may play (input-only devices are left out).
fn may_play(device: &cpal::Device) -> bool {
    device.supports_output() || !device.supports_input()
}

/// Lists the output devices of the default host.
pub fn list_devices() -> Result<Vec<DeviceInfo>, OutputError> {
    let _quiet = quiet_alsa();
    let host = cpal::default_host();
    let default_id = host.default_output_device().and_then(|d| d.id().ok());
    let mut out = Vec::new();
    for device in host.output_devices().map_err(OutputError::Enumerate)? {
        if !may_play(&device) {
            continue;
        }
        let id = device.id().ok();
        let (name, full_id) = device_names(&device);
        out.push(DeviceInfo {
            name,
            id: full_id,
            description: device_description(&device),
            is_default: id.is_some() && id == default_id,
        });
    }
    Ok(out)
}

/// Finds the device called `wanted`: by short name (`null`), full id (`alsa:null`) or
/// description, ignoring case; `None` or `default` mean the host's default output.
fn find_device(host: &cpal::Host, wanted: Option<&str>) -> Result<cpal::Device, OutputError> {
    let wanted = match wanted {
        None => {
            return host
                .default_output_device()
                .ok_or(OutputError::NoDevice(None))
        }
        Some(w) if w.eq_ignore_ascii_case(DEFAULT_DEVICE) => {
            return host
                .default_output_device()
                .ok_or(OutputError::NoDevice(None))
        }
        Some(w) => w,
    };
    let devices: Vec<cpal::Device> = host
        .output_devices()
        .map_err(OutputError::Enumerate)?
        .filter(may_play)
        .collect();
    let by_name = devices.iter().find(|d| {
        let (name, id) = device_names(d);
        name.eq_ignore_ascii_case(wanted) || id.eq_ignore_ascii_case(wanted)
    });
    let by_description = || {
        devices
            .iter()
            .find(|d| device_description(d).eq_ignore_ascii_case(wanted))
    };
    by_name
        .or_else(by_description)
        .cloned()
        .ok_or_else(|| OutputError::NoDevice(Some(wanted.to_string())))
}

/// Sample formats the callback can write, best first.
const WRITABLE_FORMATS: [SampleFormat; 5] = [
    SampleFormat::F32,
    SampleFormat::F64,
    SampleFormat::I32,
    SampleFormat::I16,
    SampleFormat::U16,
];

/// Picks the device's best configuration at `sample_rate` among the formats chronus writes:
/// stereo first, then f32 (cpal's own default heuristics).
fn choose_config(
    ranges: impl Iterator<Item = SupportedStreamConfigRange>,
    sample_rate: u32,
) -> Option<(u16, SampleFormat)> {
    ranges
        .filter(|r| (r.min_sample_rate()..=r.max_sample_rate()).contains(&sample_rate))
        .filter(|r| WRITABLE_FORMATS.contains(&r.sample_format()))
        .max_by(|a, b| a.cmp_default_heuristics(b))
        .map(|r| (r.channels().max(1), r.sample_format()))
}

/// An open, playing cpal stream.
pub struct CpalOutput {
    _stream: cpal::Stream,
    /// The device's short name (`default`, `null`, `hw:CARD=0,DEV=0`).
    pub device_name: String,
    /// Channels the device plays (chronus writes stereo; mono gets the mix, extras silence).
    pub channels: u16,
    /// The device's sample format.
    pub sample_format: SampleFormat,
    /// Frames per device buffer (0 = the device's default).
    pub buffer_frames: u32,
    /// Errors cpal reported from its audio thread (xruns and the like).
    pub stream_errors: Arc<AtomicU64>,
}

impl CpalOutput {
    /// Opens `device` (or the default), at `sample_rate`, with a fixed buffer of `buffer_frames`
    /// frames when given, in the device's best channel count and sample format, and starts
    /// playing `player`.
    pub fn open(
        device: Option<&str>,
        sample_rate: u32,
        buffer_frames: Option<u32>,
        player: BlockPlayer,
    ) -> Result<CpalOutput, OutputError> {
        let _quiet = quiet_alsa();
        let host = cpal::default_host();
        let dev = find_device(&host, device)?;
        let device_name = device_names(&dev).0;
        let cpal_err = |reason| OutputError::Cpal {
            device: device_name.clone(),
            reason,
        };
        // Asking for the supported configs opens the device: it fails cleanly when nothing
        // is there.
        let ranges = dev.supported_output_configs().map_err(cpal_err)?;
        let (channels, sample_format) =
            choose_config(ranges, sample_rate).ok_or_else(|| OutputError::UnsupportedConfig {
                device: device_name.clone(),
                rate: sample_rate,
            })?;
        let config = cpal::StreamConfig {
            channels,
            sample_rate,
            buffer_size: match buffer_frames {
                Some(n) => cpal::BufferSize::Fixed(n),
                None => cpal::BufferSize::Default,
            },
        };
        let stream_errors = Arc::new(AtomicU64::new(0));
        let scratch_frames = (buffer_frames.unwrap_or(0) as usize).max(CONVERSION_FRAMES);
        let stream = match sample_format {
            SampleFormat::F64 => build::<f64>(&dev, config, player, scratch_frames, &stream_errors),
            SampleFormat::I32 => build::<i32>(&dev, config, player, scratch_frames, &stream_errors),
            SampleFormat::I16 => build::<i16>(&dev, config, player, scratch_frames, &stream_errors),
            SampleFormat::U16 => build::<u16>(&dev, config, player, scratch_frames, &stream_errors),
            _ => build_f32(&dev, config, player, &stream_errors),
        }
        .map_err(cpal_err)?;
        stream.play().map_err(cpal_err)?;
        Ok(CpalOutput {
            _stream: stream,
            device_name,
            channels,
            sample_format,
            buffer_frames: buffer_frames.unwrap_or(0),
            stream_errors,
        })
    }

    /// How the output is set up, for the user: `null (ALSA, 2 ch f32, 64-frame buffer)`.
    pub fn summary(&self) -> String {
        let buffer = match self.buffer_frames {
            0 => "default buffer".to_string(),
            n => format!("{n}-frame buffer"),
        };
        format!(
            "{} ({}, {} ch {}, {buffer})",
            self.device_name,
            cpal::default_host().id().name(),
            self.channels,
            self.sample_format
        )
    }
}

fn error_counter(errors: &Arc<AtomicU64>) -> impl FnMut(cpal::Error) + Send + 'static {
    let errors = errors.clone();
    move |_err| {
        errors.fetch_add(1, Ordering::Relaxed);
    }
}

/// Shows the frames the device really asks for per callback in the meters' `buffer` (so a
/// fixed size the device rounded, or a default size, is visible). Real-time safe.
fn record_callback_frames(meters: &Meters, frames: usize) {
    meters.buffer_frames.store(frames as u32, Ordering::Relaxed);
}

/// A stream the player fills directly.
fn build_f32(
    dev: &cpal::Device,
    config: cpal::StreamConfig,
    mut player: BlockPlayer,
    errors: &Arc<AtomicU64>,
) -> Result<cpal::Stream, cpal::Error> {
    let ch = config.channels as usize;
    let meters = player.meters().clone();
    dev.build_output_stream::<f32, _, _>(
        config,
        move |data: &mut [f32], _info: &cpal::OutputCallbackInfo| {
            record_callback_frames(&meters, data.len() / ch);
            fill_guarded(&mut player, &meters, data, ch);
        },
        error_counter(errors),
        None,
    )
}

/// A stream in another sample format: the player fills an f32 buffer allocated here, and the
/// callback converts it (in pieces, should the device ever ask for more than it holds).
fn build<T>(
    dev: &cpal::Device,
    config: cpal::StreamConfig,
    mut player: BlockPlayer,
    scratch_frames: usize,
    errors: &Arc<AtomicU64>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + FromSample<f32> + Send + 'static,
{
    let ch = config.channels as usize;
    let mut scratch = vec![0.0f32; scratch_frames * ch];
    let meters = player.meters().clone();
    dev.build_output_stream::<T, _, _>(
        config,
        move |data: &mut [T], _info: &cpal::OutputCallbackInfo| {
            record_callback_frames(&meters, data.len() / ch);
            for piece in data.chunks_mut(scratch.len()) {
                let floats = &mut scratch[..piece.len()];
                fill_guarded(&mut player, &meters, floats, ch);
                rt_guard(|| {
                    for (out, s) in piece.iter_mut().zip(floats.iter()) {
                        *out = T::from_sample(*s);
                    }
                });
            }
        },
        error_counter(errors),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use cpal::SupportedBufferSize;

    fn range(
        channels: u16,
        format: SampleFormat,
        min: u32,
        max: u32,
    ) -> SupportedStreamConfigRange {
        SupportedStreamConfigRange::new(channels, min, max, SupportedBufferSize::Unknown, format)
    }

    #[test]
    fn the_config_prefers_stereo_f32_at_the_asked_rate() {
        let ranges = vec![
            range(1, SampleFormat::F32, 8_000, 192_000),
            range(2, SampleFormat::I16, 8_000, 192_000),
            range(2, SampleFormat::F32, 8_000, 192_000),
            range(6, SampleFormat::F32, 8_000, 192_000),
        ];
        assert_eq!(
            choose_config(ranges.into_iter(), 44_100),
            Some((2, SampleFormat::F32))
        );
    }

    #[test]
    fn the_config_falls_back_to_a_format_chronus_converts() {
        let ranges = vec![
            range(2, SampleFormat::I16, 48_000, 48_000),
            range(2, SampleFormat::I24, 44_100, 44_100),
            range(2, SampleFormat::I16, 44_100, 44_100),
        ];
        assert_eq!(
            choose_config(ranges.into_iter(), 44_100),
            Some((2, SampleFormat::I16))
        );
        let only_48k = vec![range(2, SampleFormat::F32, 48_000, 48_000)];
        assert_eq!(choose_config(only_48k.into_iter(), 44_100), None);
    }

    #[test]
    fn a_missing_device_says_it_is_not_available() {
        let e = OutputError::Cpal {
            device: "default".into(),
            reason: cpal::ErrorKind::DeviceNotAvailable.into(),
        };
        assert_eq!(
            e.to_string(),
            "audio device \"default\" is not available (no sound card or server behind it)"
        );
        assert!(std::error::Error::source(&e).is_none(), "no repeated cause");
    }

    #[test]
    fn a_device_line_shows_the_name_to_pass_and_the_description() {
        let d = DeviceInfo {
            name: "null".into(),
            id: "alsa:null".into(),
            description: "Discard all samples".into(),
            is_default: true,
        };
        assert!(d.to_string().starts_with("* null "));
        assert!(d.to_string().ends_with(" Discard all samples"));
    }
}
