//! Help text for `help` / `help <topic>`, and the patch listing for `show`, built from the
//! parameter table and the vocabulary so that they never drift from what is understood.
//!
//! Runs on the control thread. May allocate.

use super::pattern::rhythm::Rhythms;
use super::vocab::modules;
use super::vocab::{Verb, Vocabulary, WordClass};
use crate::engine::params::{ParamId, Unit};
use crate::engine::PatchState;

/// Topics beside modules and parameters.
pub const TOPICS: &[&str] = &[
    "phrases",
    "words",
    "notes",
    "units",
    "meta",
    "faults",
    "vocab",
    "chords",
    "sequencer",
    "tracks",
    "effects",
    "patches",
    super::instrument_help::TOPIC,
];

/// The canonical help topic for the words after `help` (`lpf` → `filter`, `darker` → `words`),
/// or a did-you-mean suggestion.
pub(crate) fn topic_for(words: &str, vocab: &Vocabulary) -> Result<String, Option<String>> {
    let w = words.trim();
    if let Some(t) = TOPICS.iter().find(|t| **t == w) {
        return Ok(t.to_string());
    }
    if let Some(p) = ParamId::from_name(w) {
        return Ok(p.name().to_string());
    }
    if let Some((m, rest)) = w.split_once(' ') {
        if let Some(WordClass::Module(m)) = vocab.lookup(m) {
            if let Some(p) = vocab.param_in_module(m, rest) {
                return Ok(p.name().to_string());
            }
        }
    }
    match vocab.lookup(w) {
        Some(WordClass::Module(m)) => Ok(m.to_string()),
        Some(WordClass::Param(p) | WordClass::Choice(p, _)) => Ok(p.name().to_string()),
        Some(WordClass::Describe(_) | WordClass::Intensity(_) | WordClass::Factor(_)) => {
            Ok("words".into())
        }
        Some(WordClass::Filler | WordClass::Frame) => Ok("meta".into()),
        Some(WordClass::Interval(_)) => Ok("notes".into()),
        Some(WordClass::Verb(Verb::Fault)) => Ok("faults".into()),
        Some(WordClass::Verb(Verb::Chord | Verb::Inversion | Verb::Velocity)) => {
            Ok("chords".into())
        }
        Some(WordClass::Verb(
            Verb::Start
            | Verb::Stop
            | Verb::Pattern
            | Verb::Seq
            | Verb::Steps
            | Verb::Rate
            | Verb::Now,
        )) => Ok("sequencer".into()),
        Some(WordClass::Rhythm(_)) => Ok("sequencer".into()),
        Some(WordClass::Verb(
            Verb::Track | Verb::Mute | Verb::Unmute | Verb::Solo | Verb::Unsolo | Verb::Clear,
        )) => Ok("tracks".into()),
        Some(WordClass::Verb(Verb::Save | Verb::Load | Verb::Patches)) => Ok("patches".into()),
        Some(WordClass::Verb(_)) => Ok("meta".into()),
        _ if vocab.parse_note(w).is_some() => Ok("notes".into()),
        _ => {
            let extra: Vec<String> = TOPICS.iter().map(|t| t.to_string()).collect();
            Err(vocab.suggest(w, &extra))
        }
    }
}

/// The help text for a topic (as given by `topic_for`), or the overview.
pub fn help_text(topic: Option<&str>, vocab: &Vocabulary, faults_enabled: bool) -> String {
    let Some(topic) = topic else {
        return overview(faults_enabled);
    };
    if let Some(p) = ParamId::from_name(topic) {
        return param_help(p, vocab);
    }
    if modules().any(|m| m == topic) {
        let mut out = vec![format!("{topic}: {}", words_for_module(vocab, topic))];
        if let Some(d) = vocab.module_default(topic) {
            out.push(format!(
                "  `{topic} <value>` and `more {topic}` mean {}",
                d.name()
            ));
        }
        for &p in ParamId::ALL.iter().filter(|p| p.spec().module() == topic) {
            out.push(param_help(p, vocab));
        }
        return out.join("\n");
    }
    match topic {
        "phrases" => overview(faults_enabled),
        "words" => describing_words(vocab),
        "notes" => [
            "notes: `note A3`, `play C#4`, `play 57` (MIDI), `note off 57`, `freq A3` (sets osc.freq only)",
            "  names: c d e f g a b (or do re mi fa sol la si), then # or b, then the octave (A4 = 440 Hz)",
            "pitch: `up an octave`, `down a fifth`, `up 3 semitones`, `an octave lower`, `transpose -3`, `pitch up`",
            &format!("  intervals: {}", word_list(vocab, |c| matches!(c, WordClass::Interval(_)))),
        ]
        .join("\n"),
        "units" => [
            "units: 800, 800 hz, 1.2k, 1.2 khz | 5 ms, 2 s, 1.5 beats, 1 bar, 3/8 (a note value: three eighths)",
            "  50% | -6 db | 128 bpm | 20 cents, 2 st (semitones)",
            "  times need a unit (`attack 5` is refused: 5 ms or 5 s?); fractions take 0..1 or a percentage",
            "  `set filter.cutoff 1400` (canonical name) takes the parameter's own unit: Hz, s, dB, 0..1",
        ]
        .join("\n"),
        "meta" => [
            "meta: help [topic] | status (meters) | show (the patch) | undo | redo | explain <phrase> | quit",
            "  questions change nothing: `what's the tempo?` | `how loud is it` | `cutoff?` answer with the value;",
            "  any other phrase with `?` is explained: `darker?` | `double the tempo?`",
            "  words of conversation (can you, let's, ok, pls) are skipped, and a word one typo away from",
            "  exactly one word is read as it; the reply then says how the line was read: `read as: ...`",
            "  reset (every parameter to its default) | reset filter | reset attack",
            "  separate phrases with , ; then and — `gate on, cutoff 800 then a bit darker`",
        ]
        .join("\n"),
        "chords" => [
            "chords: `chord C` | `chord C minor` | `chord Dm7` | `chord F#maj7 inversion 1` | `chord Bb sus4 octave 3`",
            "  qualities: major minor dim aug sus2 sus4 5 6 m6 7 maj7 m7 dim7 m7b5 mmaj7 7sus4 add9 9 maj9 m9",
            "  an octave before the quality: `chord C3m7` (C7 is the seventh chord); default octave 4",
            "  a chord replaces the notes held before it; `velocity 0.6` plays it softer",
            "notes at once: `play C4 E4 G4` | `note C4 velocity 0.5` | `release all` (every note off)",
            "  with the arp on (`arp up`), held notes and chords are arpeggiated",
        ]
        .join("\n"),
        "sequencer" => [
            "transport: `start` (from bar 1) | `stop` (stops and releases held notes) | `stop transport` (only stops)",
            "  `tempo 128` | `128 bpm` | `swing 58%` (0.5 or less = straight, 0.67 = triplet feel)",
            "steps: `pattern x..x..X.` (x hit, X accent, . ~ - rest) | `seq C3 C3 G3 A#3 . C4 . G3`",
            "  `steps 16` (pattern length) | `rate 1/16` (step length; also 1/8, 1/32, or `rate 16`)",
            "  pattern hits play the patch's pitch, or the track's own: `track kick pitch C1`",
            "  edits while the transport runs take effect at the next bar; add `now` for at once",
            "  these edit the current track (track 1 until you name another; `help tracks`)",
            "  `undo` takes back patterns and sound changes; start/stop are not undone",
            "mini-notation (TidalCycles): `pattern x [x x] x` (subdivide) | `x*3` (faster) | `x/2` (every other cycle)",
            "  `<C3 G3 A#2>` (one per cycle) | `x!3` (repeat) | `x _ _` or `x@3` (tie: longer gate) | `x?` `x?0.3` (maybe)",
            "  `x(3,8)` `x(3,8,2)` `C3(5,8)` (euclid) | `[C3, E3, G3]` (at once: a chord) | `[x | X]` (random per cycle)",
            "  `{x . .}%4` (polymeter) | `x:0.5` `C3:0.8` (velocity) | `seed 7` (random choices; a session's seed header)",
            "  a cycle lasts its top-level steps × the rate: `x..x` is 4 steps, `x@3 x` 4, `x(3,8)` 8; at most 192 slots",
            "rhythm words: `four on the floor` | `backbeat` | `snare on 2 and 4` | `offbeat hats` | `triplets`",
            "  `half time` | `double time` | `fast 2` | `slow 2` | `reverse` | `rotate 1` | `every other bar`",
            "  `every 4 bars reverse` | `fill every 4 bars` (the 4th ends in a fill); a bar here is one cycle",
            "  rhythm words change the track's pattern as typed; a new pattern starts afresh",
            "  `show` prints each track's pattern as typed and each cycle as expanded",
        ]
        .join("\n"),
        "tracks" => [
            "tracks (8): `track bass seq C2 . C2 G1` | `track hats pattern x.x.x.x.` | `track bass` (select)",
            "  `track hats noise` | `track hats wave noise` | `track hats decay 40 ms` | `track hats cutoff 8k`",
            "  `track kick pitch C1` | `mute bass` | `unmute bass` | `solo hats` | `unsolo hats` | `track bass clear`",
            "  a track's own sound: wave, detune, attack, decay, sustain, release, filter mode/cutoff/res/env, volume",
            "  tracks can also be named by number: `track 3 pattern x...`, `mute 3`",
        ]
        .join("\n"),
        "effects" => [
            "effects (each with on/off and mix): `delay on` | `delay off` | `reverb off` | `drive on`",
            "  drive: `drive amount 40%` | `drive mix 50%`      chorus: `chorus rate 0.5 hz` | `chorus depth 60%` | `chorus mix 30%`",
            "  delay: `delay time 3/8` (tempo-synced) | `delay time 300 ms` | `delay feedback 40%` | `delay damping 0.5` | `delay mix 25%`",
            "  reverb: `reverb size 0.8` | `reverb damping 0.3` | `reverb mix 30%` | `wetter` | `drier`",
            "  order: `delay before reverb` | `drive after chorus` | `effects order drive chorus delay reverb` (crossfaded, `show` prints it)",
            "second filter: `filter2 highpass 200 hz` | `filter2 res 0.3` | `filters in parallel` | `filters in series` | `filter2 off` | `notch 1 khz`",
            "arp: `arp up` | `arp down` | `arp updown` | `arp random` | `arp off` | `arp rate 1/16` | `arp octaves 2` | `arp gate 50%`",
        ]
        .join("\n"),
        super::instrument_help::TOPIC => super::instrument_help::help(),
        "patches" => [
            "patches: `save patch NAME` | `load patch NAME` | `patches` (lists saved and built-in ones)",
            "  built-in: acid, bass, pad, pluck; loading glides to the new sound (no clicks)",
            "  names: letters, digits, - and _ ; saved as NAME.toml in the data folder's patches/",
        ]
        .join("\n"),
        "faults" if faults_enabled => [
            "faults (for failover tests): fault panic | fault hang | fault nan | fault slow 3ms",
        ]
        .join("\n"),
        "faults" => "fault phrases are hidden; start chronus with --faults to list them".into(),
        "vocab" => [
            "vocabulary: words live in vocab/*.toml (built in); add or override words with files in",
            "  ~/.config/chronus/vocab/ or --vocab DIR (format: vocab/README.md), e.g.",
            "  [describe]  murkier = { param = \"filter.cutoff\", op = \"mul\", step = 0.6 }",
        ]
        .join("\n"),
        _ => overview(faults_enabled),
    }
}

fn overview(faults_enabled: bool) -> String {
    let mut lines = vec![
        "play:     gate on | gate off | play | hush | note A3 | play C#4 | note off 57 | release all",
        "chords:   chord C minor | chord Dm7 | chord F#maj7 inversion 1 | play C4 E4 G4 | note C4 velocity 0.5",
        "sequence: start | stop | tempo 128 | swing 58% | pattern x..x..x. | seq C3 . G3 | steps 16 | rate 1/16",
        "tracks:   track bass seq C2 . C2 | track hats pattern x.x. | track hats noise | mute bass | solo hats | now",
        "arp/fx:   arp up | arp rate 1/16 | arp octaves 2 | arp off | delay time 3/8 | reverb size 0.8 | delay off",
        "patches:  save patch NAME | load patch acid | patches",
        "pitch:    freq 220 | pitch 220 hz | up an octave | down a fifth | transpose -3",
        "set:      cutoff 800 | filter cutoff 1.2k | set filter cutoff to 800 hz | resonance 0.7",
        "          attack 5 ms | release 2 s | sustain 50% | volume -6 db | tempo 128 | delay time 3/8",
        "sound:    osc saw | wave square | switch to a triangle wave | noise | filter highpass",
        "describe: darker | brighter | a bit darker | much brighter | more resonance | less resonant",
        "          louder | quieter | faster | slower | shorter attack | longer release | punchier",
        "          wetter | drier | more reverb | more delay | cutoff up 200 hz | tempo down 10%",
        "meta:     help [topic] | status | show | undo | redo | explain <phrase> | reset [filter] | quit",
        "several:  gate on, cutoff 800 then a bit darker | delay 250 ms with 50% feedback",
        "plain:    make it darker please | turn up the reverb | kill the delay | double the tempo",
        "          less bright | too loud | not bright enough | warmish | crunchy | darker x2 | largo",
        "          play an A minor chord | Cmaj7 | B flat | middle C | one twenty eight bpm | lpf 800",
        "ask:      what's the tempo? | how much reverb | cutoff? | darker? (explains, changes nothing)",
        "topics:   help filter | help words | help notes | help chords | help sequencer | help tracks",
        "          help effects | help arp | help patches | help units | help meta | help vocab",
        "          help instruments (drums, lfo, wobble, vibrato, ramps `... over 4 bars`)",
    ];
    if faults_enabled {
        lines.push("faults:   fault panic | fault hang | fault nan | fault slow 3ms");
    }
    lines.join("\n")
}

fn words_for_module(vocab: &Vocabulary, module: &str) -> String {
    let words = word_list(vocab, |c| *c == WordClass::Module(static_module(module)));
    format!("module (also called: {words})")
}

fn static_module(module: &str) -> &'static str {
    modules().find(|m| *m == module).unwrap_or("")
}

fn word_list(vocab: &Vocabulary, pred: impl Fn(&WordClass) -> bool) -> String {
    let words: Vec<String> = vocab
        .words_where(pred)
        .into_iter()
        .map(|(w, _)| w)
        .collect();
    if words.is_empty() {
        "-".into()
    } else {
        words.join(", ")
    }
}

fn param_help(p: ParamId, vocab: &Vocabulary) -> String {
    let spec = p.spec();
    let range = if spec.unit == Unit::Choice {
        spec.choices.join(" | ")
    } else {
        format!(
            "{} .. {}",
            spec.format_with_unit(spec.min),
            spec.format_with_unit(spec.max)
        )
    };
    let mut out = format!(
        "  {:<16} {} — {range}, default {}",
        spec.name,
        spec.help,
        spec.format_with_unit(spec.default)
    );
    let alone = word_list(vocab, |c| *c == WordClass::Param(p));
    let module = spec.module();
    let after: Vec<String> = vocab
        .module_param_words(module)
        .into_iter()
        .filter(|w| vocab.param_in_module(module, w) == Some(p))
        .collect();
    let after = after.join("|");
    out.push_str(&format!(
        "\n      words: {} {after}; alone: {alone}",
        spec.module()
    ));
    if let Some((op, step)) = vocab.more_step(p) {
        out.push_str(
            &format!(
                "; `more`/`less` step: {op:?} {}",
                crate::engine::params::format_decimal(step)
            )
            .to_lowercase(),
        );
    }
    let describing: Vec<String> = vocab
        .words_where(
            |c| matches!(c, WordClass::Describe(d) if d.effects.iter().any(|s| s.param == p)),
        )
        .into_iter()
        .map(|(w, _)| w)
        .collect();
    if !describing.is_empty() {
        out.push_str(&format!("\n      described by: {}", describing.join(", ")));
    }
    out
}

fn describing_words(vocab: &Vocabulary) -> String {
    let own: Vec<String> = vocab
        .words_where(|c| matches!(c, WordClass::Describe(d) if !d.effects.is_empty()))
        .into_iter()
        .map(|(w, c)| match c {
            WordClass::Describe(d) => {
                let effects: Vec<String> = d
                    .effects
                    .iter()
                    .map(|s| {
                        format!(
                            "{} {:?} {}",
                            s.param.name(),
                            s.op,
                            crate::engine::params::format_decimal(s.amount)
                        )
                        .to_lowercase()
                    })
                    .collect();
                format!("  {w:<10} {}", effects.join(", "))
            }
            _ => String::new(),
        })
        .collect();
    let directions = word_list(
        vocab,
        |c| matches!(c, WordClass::Describe(d) if d.effects.is_empty()),
    );
    let intensities: Vec<String> = vocab
        .words_where(|c| matches!(c, WordClass::Intensity(_)))
        .into_iter()
        .map(|(w, c)| match c {
            WordClass::Intensity(k) => format!("{w} (×{k})"),
            _ => w,
        })
        .collect();
    let factors = word_list(vocab, |c| matches!(c, WordClass::Factor(_)));
    format!(
        "describing words (relative to the current value; `less X`, `too X`, `not so X` do the opposite,\n`not X enough` the word itself; comparatives and -ish forms work too: brighter, warmish):\n{}\ndirection words (need a parameter: `more resonance`, `shorter attack`): {directions}\nintensity: {}\nfactors (`double the tempo`): {factors}",
        own.join("\n"),
        intensities.join(", ")
    )
}

/// The current patch, one parameter per line (`filter.cutoff    1400 Hz  (default 2000 Hz)`),
/// then the gate and the held note, and the tracks, for `show` (without patterns as typed:
/// see [`show_patch_with`]).
pub fn show_patch(patch: &PatchState) -> Vec<String> {
    show_patch_with(patch, &Rhythms::default())
}

/// [`show_patch`] with each track's pattern as typed and its cycles as expanded.
pub fn show_patch_with(patch: &PatchState, rhythms: &Rhythms) -> Vec<String> {
    let mut out: Vec<String> = ParamId::ALL
        .iter()
        .map(|&p| {
            let spec = p.spec();
            let v = patch.get(p);
            let mark = if v == spec.default {
                String::new()
            } else {
                format!("  (default {})", spec.format_with_unit(spec.default))
            };
            format!("{:<16} {}{mark}", spec.name, spec.format_with_unit(v))
        })
        .collect();
    out.push(format!(
        "{:<16} {}",
        "voice",
        super::voice_chain::voice_chain(patch)
    ));
    let gate = match (patch.sounding(), patch.note()) {
        (_, Some(n)) => format!("on, note {n} ({})", super::action::note_name(n)),
        (true, None) => "on".into(),
        (false, None) => "off".into(),
    };
    out.push(format!("{:<16} {gate}", "gate"));
    let held = patch.held_notes();
    if held.len() > 1 {
        let names: Vec<String> = held.iter().map(|n| super::action::note_name(*n)).collect();
        out.push(format!("{:<16} {}", "held notes", names.join(" ")));
    }
    let running = if patch.running() {
        "running"
    } else {
        "stopped"
    };
    out.push(format!("{:<16} {running}", "transport"));
    let names = patch.track_names();
    for (i, t) in patch.tracks().iter().enumerate() {
        if *t == crate::engine::state::TrackState::default() {
            continue;
        }
        let steps: String = t.steps[..usize::from(t.length)]
            .iter()
            .map(|s| match (s.level, s.note) {
                (crate::engine::command::StepLevel::Rest, _) => ".".to_string(),
                (l, crate::engine::command::Step::TRACK_PITCH) => l.to_char().to_string(),
                (_, n) => super::action::note_name(n),
            })
            .collect::<Vec<_>>()
            .join(
                if t.steps
                    .iter()
                    .any(|s| s.note != crate::engine::command::Step::TRACK_PITCH)
                {
                    " "
                } else {
                    ""
                },
            );
        let flags = match (t.mute, t.solo) {
            (true, _) => " (muted)",
            (_, true) => " (solo)",
            _ => "",
        };
        out.push(format!(
            "track {} {}{flags}: {steps}",
            i + 1,
            names.label(i as u8)
        ));
        out.extend(super::pattern::show::rhythm_lines(patch, rhythms, i));
    }
    out.extend(super::instrument_help::show_lines(patch));
    out
}
