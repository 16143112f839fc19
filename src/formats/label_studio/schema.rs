//! A Label Studio task as JSON: its data, submitted annotations, predictions and their
//! result items, as Label Studio reads and exports them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One Label Studio task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// Label Studio's task id (in its exports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    pub data: TaskData,
    /// Submitted annotations (`completions` in old exports).
    #[serde(default, alias = "completions", skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<LsAnnotation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub predictions: Vec<PredictionEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskData {
    pub text: String,
    /// The whosaid document id (`news/bbc_tech_360`): the import writes `<id>.txt`/`.ann`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

/// A submitted annotation of a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LsAnnotation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    #[serde(default)]
    pub result: Vec<ResultItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub was_cancelled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ground_truth: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// A prediction; some exports list only prediction ids, which are kept as they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PredictionEntry {
    Full(Prediction),
    Reference(Value),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    pub model_version: String,
    /// The mean confidence of the spans that have one (Label Studio sorts tasks by it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    pub result: Vec<ResultItem>,
}

/// One item of a result, by its `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ResultItem {
    #[serde(rename = "labels")]
    Labels {
        id: String,
        from_name: String,
        to_name: String,
        value: LabelsValue,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        score: Option<f64>,
    },
    #[serde(rename = "choices")]
    Choices {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        from_name: String,
        to_name: String,
        value: ChoicesValue,
    },
    #[serde(rename = "textarea")]
    TextArea {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        from_name: String,
        to_name: String,
        value: TextAreaValue,
    },
    #[serde(rename = "relation")]
    Relation {
        from_id: String,
        to_id: String,
        /// `right` (from → to, the default), `left` (to → from) or `bi`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        direction: Option<String>,
        #[serde(default)]
        labels: Vec<String>,
    },
    /// Any other control's result (ignored on import).
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelsValue {
    pub start: usize,
    pub end: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    pub labels: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChoicesValue {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
    pub choices: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextAreaValue {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
    /// One string per note (a single string is accepted too).
    pub text: Value,
}
