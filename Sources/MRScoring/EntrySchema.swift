/// The JSON Schema (draft 2020-12) of a leaderboard entry, built into the binary so that
/// `mrbench leaderboard validate` needs no file. `leaderboard/schema/entry-v1.schema.json` is the
/// same text (a test keeps them identical).
public enum EntrySchema {
    public static let fileName = "entry-v1.schema.json"
    public static let text = #"""
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://github.com/mrbench/mrbench/leaderboard/schema/entry-v1.schema.json",
  "title": "mrbench leaderboard entry, formats 1 to 3",
  "description": "One (agent, benchmark) evaluation: leaderboard/entries/<benchmark>/<agent>.json. Written by `mrbench evaluate`, checked by `mrbench leaderboard validate`. Keys sorted, reals rounded to 6 decimals.",
  "type": "object",
  "required": ["schema", "benchmark", "agent", "protocol", "results", "provenance", "complete", "trialsCompleted", "trialsTotal"],
  "additionalProperties": false,
  "properties": {
    "schema": {
      "type": "object",
      "required": ["name", "version"],
      "additionalProperties": false,
      "properties": {
        "name": {"const": "mrbench-leaderboard-entry"},
        "version": {"enum": [1, 2, 3], "description": "2 adds agent.sandbox (external agents) and benchmark.goals (hidden goals); 3 adds results.trials (complete entries). Formats 1 and 2 remain valid."}
      }
    },
    "benchmark": {
      "type": "object",
      "required": ["id", "version", "split", "digest", "metric", "hidesGoal"],
      "additionalProperties": false,
      "properties": {
        "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._/-]*$"},
        "version": {"type": "string", "pattern": "^(v[0-9]+|unversioned)$"},
        "split": {"enum": ["train", "test"]},
        "digest": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "metric": {"enum": ["success", "return"]},
        "hidesGoal": {"type": "boolean"},
        "goals": {
          "type": "object",
          "description": "Format 2, evaluate --hidden-goals: test goals drawn afresh from the test split's distribution; the SHA-256 of the decimal seed commits to them (the run record reveals the seed). Absent: the frozen test goals.",
          "required": ["kind", "seedSHA256"],
          "additionalProperties": false,
          "properties": {"kind": {"const": "hidden"}, "seedSHA256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}
        }
      }
    },
    "agent": {
      "type": "object",
      "required": ["name", "version", "kind", "privileged", "checkpointDigest", "trainingSteps", "trainingSeed"],
      "additionalProperties": false,
      "properties": {
        "name": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
        "version": {"type": "string"},
        "kind": {"enum": ["builtin", "external"]},
        "privileged": {"type": "boolean"},
        "checkpointDigest": {"type": ["string", "null"]},
        "trainingSteps": {"type": ["integer", "null"], "minimum": 0},
        "trainingSeed": {"type": ["string", "null"], "pattern": "^[0-9]+$"},
        "sandbox": {"enum": ["bwrap", "none"], "description": "Format 2, external agents: bwrap (isolated) or none (--no-sandbox)."}
      }
    },
    "protocol": {
      "type": "object",
      "required": ["adaptationEpisodes", "evaluationEpisodes", "horizon", "goalsPerTask", "entries", "seeds", "rootSeed", "seedRule", "clipActions"],
      "additionalProperties": false,
      "properties": {
        "adaptationEpisodes": {"type": "integer", "minimum": 0},
        "evaluationEpisodes": {"type": "integer", "minimum": 1},
        "horizon": {"type": "integer", "minimum": 1},
        "goalsPerTask": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}},
        "entries": {"type": "array", "minItems": 1, "items": {"type": "string"}},
        "seeds": {"type": "integer", "minimum": 1},
        "rootSeed": {"type": "string", "pattern": "^[0-9]+$"},
        "seedRule": {"type": "string"},
        "clipActions": {"type": "boolean"}
      }
    },
    "results": {
      "type": "object",
      "required": ["metric", "overall", "tasks", "scores", "curve", "bootstrap"],
      "additionalProperties": false,
      "properties": {
        "metric": {"enum": ["success", "return"]},
        "overall": {
          "type": "object",
          "required": ["mean", "meanCI", "iqm", "iqmCI", "optimalityGap", "optimalityGapCI", "successRate", "meanReturn"],
          "additionalProperties": false,
          "properties": {
            "mean": {"type": "number"},
            "meanCI": {"$ref": "#/$defs/interval"},
            "iqm": {"type": "number"},
            "iqmCI": {"$ref": "#/$defs/interval"},
            "optimalityGap": {"type": ["number", "null"]},
            "optimalityGapCI": {"anyOf": [{"$ref": "#/$defs/interval"}, {"type": "null"}]},
            "successRate": {"type": "number", "minimum": 0, "maximum": 1},
            "meanReturn": {"type": "number"}
          }
        },
        "tasks": {"type": "object", "additionalProperties": {"$ref": "#/$defs/taskResult"}},
        "scores": {
          "type": "object",
          "description": "Raw per-seed score of each task (null: no trial of that seed completed).",
          "additionalProperties": {"type": "array", "items": {"type": ["number", "null"]}}
        },
        "curve": {"$ref": "#/$defs/curve"},
        "trials": {
          "type": "object",
          "description": "Format 3, complete entries: one row per trial in index order (seed-major), [mean evaluation-episode return, fraction of successful evaluation episodes, environment steps of all episodes]; what `leaderboard verify` compares re-run trials with.",
          "required": ["fields", "rows"],
          "additionalProperties": false,
          "properties": {
            "fields": {"const": ["return", "success", "steps"]},
            "rows": {
              "type": "array",
              "items": {
                "type": "array", "minItems": 3, "maxItems": 3,
                "prefixItems": [{"type": "number"}, {"type": "number", "minimum": 0, "maximum": 1}, {"type": "integer", "minimum": 1}]
              }
            }
          }
        },
        "bootstrap": {
          "type": "object",
          "required": ["method", "resamples", "confidence", "seed"],
          "additionalProperties": false,
          "properties": {
            "method": {"type": "string"},
            "resamples": {"type": "integer", "minimum": 1},
            "confidence": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "seed": {"type": "string", "pattern": "^[0-9]+$"}
          }
        }
      }
    },
    "provenance": {
      "type": "object",
      "required": ["mrbench", "revision", "environmentSteps", "clippedActions"],
      "additionalProperties": false,
      "properties": {
        "mrbench": {"type": "string"},
        "revision": {"type": "string"},
        "environmentSteps": {"type": "integer", "minimum": 0},
        "clippedActions": {"type": "integer", "minimum": 0, "description": "Out-of-range actions clipped under --clip-actions (0 otherwise)."}
      }
    },
    "complete": {"type": "boolean"},
    "trialsCompleted": {"type": "integer", "minimum": 0},
    "trialsTotal": {"type": "integer", "minimum": 1},
    "trials": {"type": "array", "items": {"$ref": "#/$defs/trial"}},
    "shard": {
      "type": "object",
      "required": ["index", "count"],
      "additionalProperties": false,
      "properties": {"index": {"type": "integer", "minimum": 1}, "count": {"type": "integer", "minimum": 1}}
    },
    "error": {"type": "string"}
  },
  "$defs": {
    "interval": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number"}},
    "curve": {
      "type": "object",
      "required": ["success", "return"],
      "additionalProperties": false,
      "properties": {
        "phases": {"type": "array", "items": {"enum": ["adaptation", "evaluation"]}},
        "success": {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1}},
        "return": {"type": "array", "items": {"type": "number"}}
      }
    },
    "taskResult": {
      "type": "object",
      "required": ["score", "ci", "successRate", "meanReturn", "trials", "goals", "curve"],
      "additionalProperties": false,
      "properties": {
        "score": {"type": "number"},
        "ci": {"$ref": "#/$defs/interval"},
        "successRate": {"type": "number", "minimum": 0, "maximum": 1},
        "meanReturn": {"type": "number"},
        "trials": {"type": "integer", "minimum": 1},
        "goals": {"type": "integer", "minimum": 1},
        "curve": {"$ref": "#/$defs/curve"}
      }
    },
    "trial": {
      "type": "object",
      "required": ["index", "seed", "entry", "task", "clipped", "episodes"],
      "additionalProperties": false,
      "properties": {
        "index": {"type": "integer", "minimum": 0},
        "seed": {"type": "integer", "minimum": 0},
        "entry": {"type": "integer", "minimum": 0},
        "task": {"type": "string"},
        "clipped": {"type": "integer", "minimum": 0},
        "episodes": {
          "type": "array",
          "items": {
            "type": "array", "minItems": 4, "maxItems": 4,
            "prefixItems": [{"enum": ["adaptation", "evaluation"]}, {"type": "number"}, {"type": "boolean"}, {"type": "integer", "minimum": 0}]
          }
        }
      }
    }
  }
}
"""#
}
