package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.data.FashionMnist;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The residual MLP sample: Keras's functional summary and its Fashion-MNIST accuracy. */
class ResidualSampleTest {
  /**
   * Keras's functional table for the same layers: an InputLayer row, "Connected to" as
   * {@code layer[0][0]}, Add rows with one input per line; parameter counts by hand (Dense:
   * in x out + out, LayerNormalization: 2 x features, Add: 0).
   */
  @Test
  void summaryIsKerasFunctionalTable() {
    String expected = """
        Model: "ResidualMlp"
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━┓
        ┃ Layer (type)                  ┃ Output Shape         ┃   Param # ┃ Connected to         ┃
        ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━┩
        │ input (InputLayer)            │ (None, 784)          │         0 │ -                    │
        ├───────────────────────────────┼──────────────────────┼───────────┼──────────────────────┤
        │ stem (Dense)                  │ (None, 128)          │   100,480 │ input[0][0]          │
        ├───────────────────────────────┼──────────────────────┼───────────┼──────────────────────┤
        │ block1a (Dense)               │ (None, 128)          │    16,512 │ stem[0][0]           │
        ├───────────────────────────────┼──────────────────────┼───────────┼──────────────────────┤
        │ block1b (Dense)               │ (None, 128)          │    16,512 │ block1a[0][0]        │
        ├───────────────────────────────┼──────────────────────┼───────────┼──────────────────────┤
        │ skip1 (Add)                   │ (None, 128)          │         0 │ stem[0][0],          │
        │                               │                      │           │ block1b[0][0]        │
        ├───────────────────────────────┼──────────────────────┼───────────┼──────────────────────┤
        │ norm1 (LayerNormalization)    │ (None, 128)          │       256 │ skip1[0][0]          │
        ├───────────────────────────────┼──────────────────────┼───────────┼──────────────────────┤
        │ block2a (Dense)               │ (None, 128)          │    16,512 │ norm1[0][0]          │
        ├───────────────────────────────┼──────────────────────┼───────────┼──────────────────────┤
        │ block2b (Dense)               │ (None, 128)          │    16,512 │ block2a[0][0]        │
        ├───────────────────────────────┼──────────────────────┼───────────┼──────────────────────┤
        │ skip2 (Add)                   │ (None, 128)          │         0 │ norm1[0][0],         │
        │                               │                      │           │ block2b[0][0]        │
        ├───────────────────────────────┼──────────────────────┼───────────┼──────────────────────┤
        │ norm2 (LayerNormalization)    │ (None, 128)          │       256 │ skip2[0][0]          │
        ├───────────────────────────────┼──────────────────────┼───────────┼──────────────────────┤
        │ output (Dense)                │ (None, 10)           │     1,290 │ norm2[0][0]          │
        └───────────────────────────────┴──────────────────────┴───────────┴──────────────────────┘
         Total params: 168,330 (657.54 KB)
         Trainable params: 168,330 (657.54 KB)
         Non-trainable params: 0 (0.00 B)
        """;
    assertEquals(expected, new ResidualMlpModel().summary());
    assertEquals(784 * 128 + 128 + 4 * (128 * 128 + 128) + 2 * 256 + 128 * 10 + 10,
        new ResidualMlpModel().parameterCount());
  }

  @Test
  void residualMlpLearnsFashionMnist() throws Exception {
    Assumptions.assumeTrue(FashionMnist.isAvailable(), "Fashion-MNIST is not installed");
    double accuracy = ResidualExample.run();
    assertTrue(accuracy >= 0.85, "test accuracy after 3 epochs: " + accuracy);
  }
}
