//! The tools an agent sees: their arguments (with JSON schemas), their descriptions, and how
//! each becomes a line for the instrument, a meters read, or an offline render.
//!
//! Arguments are read here rather than by rmcp, so that missing or wrong-typed arguments come
//! back as a tool error result the agent can read (`say: missing field "phrase"; expected
//! {"phrase": "filter darker"}`) instead of an opaque protocol error.

use crate::osc::route::MAX_PHRASE_BYTES;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

/// `say`: one phrase.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PhraseArgs {
    /// A phrase exactly as a person would type it, e.g. "filter a bit darker" or
    /// "track hats pattern x.x.x.x.". Several phrases may share a line, separated by commas.
    pub phrase: String,
}

/// `help`: an optional topic.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HelpArgs {
    /// A topic (phrases, words, notes, units, chords, sequencer, tracks, effects, patches),
    /// a module (filter) or a parameter (filter.cutoff); empty for the overview.
    #[serde(default)]
    pub topic: Option<String>,
}

/// `session_save`: a name.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionSaveArgs {
    /// A short name (letters, digits, - and _); the file goes to chronus's sessions folder.
    pub name: String,
}

/// `render`: session text.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RenderArgs {
    /// The text of a session file: one phrase per line, optionally timed with `@2.5`,
    /// `@bar 3 beat 2` (see the grammar resource), e.g. "osc square\nnote A3\n@2 note off 57".
    pub session: String,
    /// Length in seconds (default: the session's end plus its release tail; at most 120).
    #[serde(default)]
    pub seconds: Option<f64>,
    /// A short name for the file (letters, digits, - and _); a number is added.
    #[serde(default)]
    pub name: Option<String>,
}

/// No arguments.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

/// One tool: name, description, argument schema.
pub struct ToolSpec {
    /// The tool's name.
    pub name: &'static str,
    /// What it does, for the agent.
    pub description: &'static str,
    /// The JSON schema of its arguments.
    pub schema: fn() -> Map<String, Value>,
    /// An example of its arguments, for error messages.
    pub example: &'static str,
}

fn schema<T: JsonSchema>() -> Map<String, Value> {
    match serde_json::to_value(schemars::schema_for!(T)) {
        Ok(Value::Object(mut o)) => {
            o.remove("$schema");
            o.remove("title");
            o.entry("type").or_insert_with(|| Value::from("object"));
            o
        }
        _ => Map::new(),
    }
}

/// Every tool, in the order they are listed.
pub const TOOLS: &[ToolSpec] = &[
    ToolSpec {
        name: "say",
        description: "Play a phrase on chronus, exactly as if typed: e.g. \"gate on\", \"osc square\", \
            \"filter a bit darker\", \"chord Dm7\", \"track bass seq C2 . G1 .\", \"start\". Returns one \
            reply per action (\"filter.cutoff 2000 → 1400 Hz\"); a phrase that is not understood \
            comes back as an error with a caret under the word and a did-you-mean.",
        schema: schema::<PhraseArgs>,
        example: r#"{"phrase": "filter a bit darker"}"#,
    },
    ToolSpec {
        name: "explain",
        description: "Say what a phrase would do without doing it: one canonical action per line \
            (\"set filter.cutoff 1400\").",
        schema: schema::<PhraseArgs>,
        example: r#"{"phrase": "much darker"}"#,
    },
    ToolSpec {
        name: "status",
        description: "The instrument's meters as JSON: underruns, ring fill, latency, DSP load, \
            peak and RMS level, failovers, OSC counts.",
        schema: schema::<NoArgs>,
        example: "{}",
    },
    ToolSpec {
        name: "show",
        description: "The patch as JSON: every parameter by canonical name (osc.wave, \
            filter.cutoff in Hz, amp.gain in dB …), the gate, held notes, the transport (running, \
            tempo, swing) and every track in use with its pattern.",
        schema: schema::<NoArgs>,
        example: "{}",
    },
    ToolSpec {
        name: "help",
        description: "chronus's help: the overview, or a topic, module or parameter.",
        schema: schema::<HelpArgs>,
        example: r#"{"topic": "tracks"}"#,
    },
    ToolSpec {
        name: "session_save",
        description: "Save everything played so far (by people and agents, with its timing) as a \
            session under a name; `chronus play NAME` plays it back.",
        schema: schema::<SessionSaveArgs>,
        example: r#"{"name": "groove"}"#,
    },
    ToolSpec {
        name: "render",
        description: "Render session text offline to a WAV file in chronus's data folder and \
            describe it: length, peak and RMS in dBFS, the dominant pitch of the loudest second. \
            Does not touch the live instrument.",
        schema: schema::<RenderArgs>,
        example: r#"{"session": "osc square\nnote A3\n@2 note off 57"}"#,
    },
];

/// The spec of tool `name`.
pub fn find(name: &str) -> Option<&'static ToolSpec> {
    TOOLS.iter().find(|t| t.name == name)
}

/// Reads a tool's arguments, or says clearly what is wrong with them.
pub fn read_args<T: DeserializeOwned>(
    tool: &ToolSpec,
    args: Option<Map<String, Value>>,
) -> Result<T, String> {
    serde_json::from_value(Value::Object(args.unwrap_or_default())).map_err(|e| {
        format!(
            "{}: the arguments do not fit: {e}; expected e.g. {}",
            tool.name, tool.example
        )
    })
}

/// Checks a phrase before it is sent: not empty, one line, not too long.
pub fn check_phrase(phrase: &str) -> Result<(), String> {
    if phrase.trim().is_empty() {
        return Err("the phrase is empty; try e.g. \"gate on\"".into());
    }
    if phrase.contains(['\n', '\r']) {
        return Err(
            "one line at a time: send each phrase with its own call (or separate phrases with commas)"
                .into(),
        );
    }
    if phrase.len() > MAX_PHRASE_BYTES {
        return Err(format!(
            "the phrase is {} bytes; chronus takes at most {MAX_PHRASE_BYTES}",
            phrase.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn args(v: Value) -> Option<Map<String, Value>> {
        v.as_object().cloned()
    }

    #[test]
    fn arguments_that_do_not_fit_say_what_was_expected() {
        let say = find("say").unwrap();
        let e = read_args::<PhraseArgs>(say, None).unwrap_err();
        assert!(
            e.contains("missing field `phrase`") && e.contains("filter a bit darker"),
            "{e}"
        );
        let e = read_args::<PhraseArgs>(say, args(json!({"phrase": 5}))).unwrap_err();
        assert!(e.contains("invalid type"), "{e}");
        let ok: PhraseArgs = read_args(say, args(json!({"phrase": "gate on"}))).unwrap();
        assert_eq!(ok.phrase, "gate on");
        let help: HelpArgs = read_args(find("help").unwrap(), None).unwrap();
        assert!(help.topic.is_none());
    }

    #[test]
    fn every_schema_is_an_object_naming_its_fields() {
        for tool in TOOLS {
            let s = (tool.schema)();
            assert_eq!(s["type"], "object", "{}", tool.name);
        }
        assert!((find("say").unwrap().schema)()["properties"]["phrase"].is_object());
        assert_eq!(
            (find("render").unwrap().schema)()["required"],
            json!(["session"])
        );
    }

    #[test]
    fn phrases_are_one_short_line() {
        assert!(check_phrase("gate on").is_ok());
        assert!(check_phrase("  ").is_err());
        assert!(check_phrase("gate on\nquit")
            .unwrap_err()
            .contains("one line"));
        assert!(check_phrase(&"a".repeat(5000))
            .unwrap_err()
            .contains("at most"));
    }
}
