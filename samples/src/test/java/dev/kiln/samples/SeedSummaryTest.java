package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The seed's batch-norm example: Keras's summary, to the character. */
class SeedSummaryTest {
  @Test
  void batchNormSummaryIsTheSeedsKerasTable() {
    String expected = String.join("\n",
        "Model: \"BatchNormClassifier\"",
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ dense_1 (Dense)                 │ (None, 64)             │         1,344 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ batch_norm_1                    │ (None, 64)             │           256 │",
        "│ (BatchNormalization)            │                        │               │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ activation_2 (Activation)       │ (None, 64)             │             0 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ dropout_1 (Dropout)             │ (None, 64)             │             0 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ dense_2 (Dense)                 │ (None, 32)             │         2,080 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ batch_norm_2                    │ (None, 32)             │           128 │",
        "│ (BatchNormalization)            │                        │               │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ activation_3 (Activation)       │ (None, 32)             │             0 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ dropout_2 (Dropout)             │ (None, 32)             │             0 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ output_layer (Dense)            │ (None, 1)              │            33 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 3,841 (15.00 KB)",
        " Trainable params: 3,649 (14.25 KB)",
        " Non-trainable params: 192 (768.00 B)",
        "");
    assertEquals(expected, new BatchNormClassifierModel().summary());
  }
}
