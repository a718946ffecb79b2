package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Dropout;
import dev.kiln.annotations.GaussianNoise;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.Sgd;
import dev.kiln.runtime.Layer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dropout and Gaussian noise act in training only: at inference the network is the plain one. */
class NoiseLayersTest {
  @Network(input = 6, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Sgd(learningRate = 0.1)
  interface Noisy {
    @GaussianNoise(stddev = 0.2)
    Layer jitter();

    @Dense(units = 10, activation = RELU)
    Layer h();

    @Dropout(0.5)
    Layer drop();

    @Dense(units = 3, activation = SOFTMAX)
    Layer out();
  }

  @Network(input = 6, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Sgd(learningRate = 0.1)
  interface Plain {
    @Dense(units = 10, activation = RELU)
    Layer h();

    @Dense(units = 3, activation = SOFTMAX)
    Layer out();
  }

  @TempDir Path dir;

  @Test
  void inferenceIsThePlainNetwork() throws Exception {
    NoiseLayersTest_NoisyModel noisy = new NoiseLayersTest_NoisyModel(1);
    NoiseLayersTest_PlainModel plain = new NoiseLayersTest_PlainModel(2);
    Path weights = dir.resolve("w.safetensors");
    noisy.save(weights);
    plain.load(weights); // same tensor names: the noise layers have no parameters
    float[][] x = {{1, 2, 3, 4, 5, 6}, {-1, 0, 1, 0, -1, 2}};
    float[][] a = noisy.predict(x);
    float[][] b = plain.predict(x);
    for (int i = 0; i < x.length; i++) {
      assertArrayEquals(b[i], a[i], 0f);
    }
  }

  @Test
  void trainingModeIsNoisyAndReproducibleFromTheSeed() {
    NoiseLayersTest_NoisyModel model = new NoiseLayersTest_NoisyModel(1);
    float[][] x = {{1, 2, 3, 4, 5, 6}, {-1, 0, 1, 0, -1, 2}};
    float[][] y = {{1, 0, 0}, {0, 1, 0}};
    model.core().setNoiseSeed(3);
    double first = model.core().loss(x, y, true);
    double second = model.core().loss(x, y, true);
    model.core().setNoiseSeed(3);
    double again = model.core().loss(x, y, true);
    assertNotEquals(first, second, "new masks and noise each pass");
    org.junit.jupiter.api.Assertions.assertEquals(first, again, 0.0, "the seed reproduces them");
    assertNotEquals(model.core().loss(x, y, false), first);
  }
}
