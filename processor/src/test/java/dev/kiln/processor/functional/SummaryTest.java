package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@code summary()} against the seed's Keras output. */
class SummaryTest {
  @Test
  void xorSummaryIsTheSeedsKerasTable() {
    String expected = String.join("\n",
        "Model: \"SeedXor\"",
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ hidden_layer (Dense)            │ (None, 2)              │             6 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ output_layer (Dense)            │ (None, 1)              │             3 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 9 (36.00 B)",
        " Trainable params: 9 (36.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        "");
    assertEquals(expected, new SeedXorModel().summary());
  }

  @Test
  void parameterCountsAreKerasCounts() {
    SeedXorModel model = new SeedXorModel();
    assertEquals(9, model.parameterCount());
    assertEquals(6, model.hidden_layer().parameterCount());
    assertEquals(3, model.output_layer().parameterCount());
    assertEquals(9, SeedXorModel.PARAMETER_COUNT);
  }
}
