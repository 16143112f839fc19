//! brat standoff reader and writer (see ANNOTATION_GUIDELINES.md).
