package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.internal.Summary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
  void regularizationSummaryIsTheSeedsKerasTable() {
    String expected = String.join("\n",
        "Model: \"L2Dropout\"",
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ dense_3 (Dense)                 │ (None, 128)            │         4,224 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ dropout_2 (Dropout)             │ (None, 128)            │             0 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ dense_4 (Dense)                 │ (None, 64)             │         8,256 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ dropout_3 (Dropout)             │ (None, 64)             │             0 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ dense_5 (Dense)                 │ (None, 1)              │            65 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 12,545 (49.00 KB)",
        " Trainable params: 12,545 (49.00 KB)",
        " Non-trainable params: 0 (0.00 B)",
        "");
    assertEquals(expected, new SeedRegularization_L2DropoutModel().summary());
  }

  @Test
  void parameterCountsAreKerasCounts() {
    SeedXorModel model = new SeedXorModel();
    assertEquals(9, model.parameterCount());
    assertEquals(6, model.hidden_layer().parameterCount());
    assertEquals(3, model.output_layer().parameterCount());
    assertEquals(9, SeedXorModel.PARAMETER_COUNT);
  }

  /**
   * A console that cannot show box-drawing characters (LANG=C: US-ASCII) gets the table in ASCII.
   * The charset is that of System.out on JDK 18+ and file.encoding on 17: both are set here.
   */
  @Test
  void asciiTableWhenStandardOutputCannotDrawBoxes() {
    String expected = String.join("\n",
        "Model: \"SeedXor\"",
        "+---------------------------------+------------------------+---------------+",
        "| Layer (type)                    | Output Shape           |       Param # |",
        "+=================================+========================+===============+",
        "| hidden_layer (Dense)            | (None, 2)              |             6 |",
        "+---------------------------------+------------------------+---------------+",
        "| output_layer (Dense)            | (None, 1)              |             3 |",
        "+---------------------------------+------------------------+---------------+",
        " Total params: 9 (36.00 B)",
        " Trainable params: 9 (36.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        "");
    PrintStream original = System.out;
    String encoding = System.getProperty("file.encoding");
    System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.US_ASCII));
    System.setProperty("file.encoding", "US-ASCII");
    String summary;
    try {
      assertFalse(Summary.canDrawBoxes(Summary.stdoutCharset()));
      summary = new SeedXorModel().summary();
    } finally {
      System.setOut(original);
      System.setProperty("file.encoding", encoding);
    }
    assertEquals(expected, summary);
    assertTrue(Summary.canDrawBoxes(StandardCharsets.UTF_8));
    assertFalse(Summary.canDrawBoxes(StandardCharsets.ISO_8859_1));
    // The DOS code page has light box lines but not Keras's heavy header ones: ASCII too.
    assertFalse(Summary.canDrawBoxes(java.nio.charset.Charset.forName("IBM437")));
  }

  /**
   * Keras's counts: LSTM 4 H (I + H + 1) with one bias (LSTM(128) on 27 features: 79,872), GRU
   * (reset_after) 3 H (I + H + 2), SimpleRNN H (I + H + 1).
   */
  @Test
  void recurrentLayersCountAsKerasDoes() {
    RecurrentSummaryNetworks_CharModelModel model = new RecurrentSummaryNetworks_CharModelModel();
    assertEquals(79_872, model.lstm().parameterCount());
    assertEquals(3 * 64 * (128 + 64 + 2), model.gru().parameterCount());
    assertEquals(32 * (64 + 32 + 1), model.rnn().parameterCount());
    assertEquals(27 * 32 + 27, model.output().parameterCount());
    String expected = String.join("\n",
        "Model: \"CharModel\"",
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ lstm (LSTM)                     │ (None, 10, 128)        │        79,872 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ gru (GRU)                       │ (None, 10, 64)         │        37,248 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ rnn (SimpleRNN)                 │ (None, 32)             │         3,104 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ output (Dense)                  │ (None, 27)             │           891 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 121,115 (473.11 KB)",
        " Trainable params: 121,115 (473.11 KB)",
        " Non-trainable params: 0 (0.00 B)",
        "");
    assertEquals(expected, model.summary());
  }
}
