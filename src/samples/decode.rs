//! Decoding a sound file (WAV, FLAC, Ogg/Vorbis, MP3 via symphonia) into mono frames and
//! resampling them to the engine rate (rubato's FFT resampler).
//!
//! Runs on the control thread. Allocates freely.

use super::SampleError;
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};
use std::path::Path;
use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

/// Mono frames and their rate.
pub struct Decoded {
    /// Mono frames (the channels averaged).
    pub frames: Vec<f32>,
    /// Their sample rate in Hz.
    pub rate: u32,
}

/// Decodes `path` to mono, refusing more than `max_frames` frames.
pub fn decode(path: &Path, max_frames: usize) -> Result<Decoded, SampleError> {
    let shown = path.display().to_string();
    let corrupt = |why: String| SampleError::Corrupt {
        path: shown.clone(),
        why,
    };
    let file = std::fs::File::open(path).map_err(|e| SampleError::Unreadable {
        path: shown.clone(),
        why: e.to_string(),
    })?;
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| corrupt(format!("not a sound file chronus can read ({e})")))?;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or_else(|| corrupt("it has no audio".into()))?;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or_else(|| corrupt("its audio format is unknown".into()))?;
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(params, &AudioDecoderOptions::default())
        .map_err(|e| corrupt(format!("its codec is not supported ({e})")))?;
    let track_id = track.id;
    let mut mono = Vec::new();
    let mut rate = 0u32;
    let mut interleaved: Vec<f32> = Vec::new();
    loop {
        let packet = match format.next_packet() {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(SymphoniaError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                break
            }
            Err(e) => return Err(corrupt(e.to_string())),
        };
        if packet.track_id != track_id {
            continue;
        }
        let buf = match decoder.decode(&packet) {
            Ok(b) => b,
            Err(SymphoniaError::DecodeError(_)) => continue,
            Err(e) => return Err(corrupt(e.to_string())),
        };
        let spec = buf.spec().clone();
        rate = spec.rate();
        let channels = spec.channels().count().max(1);
        interleaved.resize(buf.samples_interleaved(), 0.0);
        buf.copy_to_slice_interleaved(&mut interleaved);
        for frame in interleaved.chunks_exact(channels) {
            mono.push(frame.iter().sum::<f32>() / channels as f32);
        }
        if mono.len() > max_frames {
            return Err(SampleError::TooLong {
                path: shown,
                max_seconds: max_frames as f64 / f64::from(rate.max(1)),
            });
        }
    }
    if mono.is_empty() || rate == 0 {
        return Err(corrupt("it holds no sound".into()));
    }
    Ok(Decoded { frames: mono, rate })
}

/// `frames` at `from` Hz resampled to `to` Hz (returned as is when the rates match).
pub fn resample(frames: Vec<f32>, from: u32, to: u32) -> Result<Vec<f32>, String> {
    if from == to {
        return Ok(frames);
    }
    let mut resampler = Fft::<f32>::new(from as usize, to as usize, 1024, 1, FixedSync::Input)
        .map_err(|e| e.to_string())?;
    let input = InterleavedSlice::new(&frames, 1, frames.len()).map_err(|e| e.to_string())?;
    let out = resampler
        .process_all(&input, frames.len(), None)
        .map_err(|e| e.to_string())?;
    Ok(out.take_data())
}
