package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code @Embedding}'s run-time rules and Keras's initialization; its numbers are in the PyTorch fixture. */
class EmbeddingTest {
  @Test
  void idsThatAreNotIntegersInRangeAreRejectedByName() {
    RecurrentFixtureNetworks_NetEmbeddingLstmModel model = new RecurrentFixtureNetworks_NetEmbeddingLstmModel(1, 4);
    float[] out = new float[3];
    String[] expected = {
        "Embedding embed: token id 11.0 at sample 0, position 2 is not an integer in [0, 11)",
        "Embedding embed: token id 2.5 at sample 0, position 2 is not an integer in [0, 11)",
        "Embedding embed: token id -1.0 at sample 0, position 2 is not an integer in [0, 11)",
        "Embedding embed: token id NaN at sample 0, position 2 is not an integer in [0, 11)"};
    float[] bad = {11, 2.5f, -1, Float.NaN};
    for (int i = 0; i < bad.length; i++) {
      float[] ids = {0, 10, bad[i], 3, 4, 5};
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.predict(ids, out));
      assertEquals(expected[i], e.getMessage());
    }
    float[][] batch = {{1, 2, 3, 4, 5, 6}, {1, 2, 3, 4, 5, 6.5f}};
    float[][] y = {{1, 0, 0}, {0, 1, 0}};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.trainOnBatch(batch, y));
    assertEquals("Embedding embed: token id 6.5 at sample 1, position 5 is not an integer in [0, 11)", e.getMessage());
    model.predict(new float[] {0, 10, 1, 2, 3, 4}, out); // the largest id is fine
    assertEquals(1.0, out[0] + out[1] + out[2], 1e-6);
  }

  @Test
  void theTableStartsUniformInKerasRange() {
    RecurrentFixtureNetworks_NetEmbeddingLstmModel model = new RecurrentFixtureNetworks_NetEmbeddingLstmModel(5, 4);
    dev.kiln.runtime.internal.TensorSlice slice = model.core().info().layers().stream()
        .filter(l -> l.name().equals("embed")).findFirst().orElseThrow().tensors().get(0);
    assertEquals("embed.weight", slice.name());
    float[] table = slice.read(model.core().parameters());
    assertEquals(44, table.length);
    float largest = 0;
    for (float w : table) {
      assertTrue(w >= -0.05f && w < 0.05f, "weight " + w);
      largest = Math.max(largest, Math.abs(w));
    }
    assertTrue(largest > 0.03f, "spread " + largest);
  }
}
