package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.LINEAR;
import static dev.kiln.annotations.ActivationFunction.TANH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.annotations.Activation;
import dev.kiln.annotations.Add;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.Reshape;
import dev.kiln.runtime.Layer;
import dev.kiln.runtime.Model;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code @Reshape} changes the shape, never the values: networks with reshapes compute exactly
 * (bit for bit) what the same network without them computes, forward, backward, to the input, and
 * when the reshaped layer is also read elsewhere (the gradient shares are then added).
 */
class ReshapeTest {
  @Network(input = 6, loss = Loss.MEAN_SQUARED_ERROR)
  interface Plain {
    @Dense(units = 12, activation = TANH)
    Layer hidden();

    @Dense(units = 2)
    Layer out();
  }

  @Network(input = 6, loss = Loss.MEAN_SQUARED_ERROR)
  interface Reshaped {
    @Reshape({2, 3})
    Layer pairs();

    @Reshape(6)
    Layer flat();

    @Dense(units = 12, activation = TANH)
    Layer hidden();

    @Reshape({3, 2, 2})
    Layer grid();

    @Reshape(12)
    Layer back();

    @Dense(units = 2)
    Layer out();
  }

  /** {@code hidden} is read twice, summed: hidden + hidden. */
  @Network(input = 6, loss = Loss.MEAN_SQUARED_ERROR)
  interface Doubled {
    @Dense(units = 12, activation = TANH)
    Layer hidden();

    @Activation(LINEAR)
    Layer copy();

    @Add
    Layer sum(Layer copy, Layer hidden);

    @Dense(units = 2)
    Layer out();
  }

  /** The same sum with the first reader a reshape pair (the reshape is not hidden's only reader). */
  @Network(input = 6, loss = Loss.MEAN_SQUARED_ERROR)
  interface DoubledThroughReshape {
    @Dense(units = 12, activation = TANH)
    Layer hidden();

    @Reshape({4, 3})
    Layer grid();

    @Reshape(12)
    Layer back();

    @Add
    Layer sum(Layer back, Layer hidden);

    @Dense(units = 2)
    Layer out();
  }

  @Test
  void reshapesChangeNothingComputed() {
    compare(new ReshapeTest_PlainModel(3), new ReshapeTest_ReshapedModel(3));
  }

  @Test
  void aReshapeBesideAnotherReaderAddsItsGradient() {
    compare(new ReshapeTest_DoubledModel(3), new ReshapeTest_DoubledThroughReshapeModel(3));
  }

  @Test
  void theOutputShapeIsTheDeclaredOne() {
    Model model = new ReshapeTest_ReshapedModel(1);
    assertEquals("(3, 2, 2)", model.core().info().layers().get(3).outputShape().toString());
    assertEquals(0, model.core().info().layers().get(3).tensors().size());
  }

  private static void compare(Model expected, Model actual) {
    assertEquals(expected.core().info().parameterCount(), actual.core().info().parameterCount());
    actual.core().setParameters(expected.core().parameters());
    SplittableRandom random = new SplittableRandom(11);
    float[][] x = new float[5][6];
    float[][] y = new float[5][2];
    for (int r = 0; r < 5; r++) {
      for (int c = 0; c < 6; c++) {
        x[r][c] = (float) random.nextDouble(-1, 1);
      }
      y[r][0] = (float) random.nextDouble(-1, 1);
      y[r][1] = (float) random.nextDouble(-1, 1);
    }
    for (int r = 0; r < 5; r++) {
      assertArrayEquals(expected.predict(x)[r], actual.predict(x)[r], "prediction " + r);
    }
    assertEquals(expected.core().computeGradients(x, y), actual.core().computeGradients(x, y));
    assertArrayEquals(expected.core().gradients(), actual.core().gradients(), "parameter gradients");
    float[][] dxExpected = new float[5][6];
    float[][] dxActual = new float[5][6];
    expected.core().backwardToInput(x, y, dxExpected);
    actual.core().backwardToInput(x, y, dxActual);
    for (int r = 0; r < 5; r++) {
      assertArrayEquals(dxExpected[r], dxActual[r], "input gradient " + r);
    }
    float[][] dy = {{1, -2}, {0.5f, 0}, {-1, 3}, {2, 2}, {0, -0.25f}};
    expected.core().backwardFromOutput(x, dy, dxExpected, true);
    actual.core().backwardFromOutput(x, dy, dxActual, true);
    assertArrayEquals(expected.core().gradients(), actual.core().gradients(), "gradients from an output gradient");
    for (int r = 0; r < 5; r++) {
      assertArrayEquals(dxExpected[r], dxActual[r], "input gradient from an output gradient " + r);
    }
    for (int step = 0; step < 3; step++) {
      expected.core().trainOnBatch(x, y);
      actual.core().trainOnBatch(x, y);
    }
    assertArrayEquals(expected.core().parameters(), actual.core().parameters(), "parameters after 3 steps");
  }
}
