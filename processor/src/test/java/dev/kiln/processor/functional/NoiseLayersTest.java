package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kiln.annotations.Conv2D;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.FillMode;
import dev.kiln.annotations.Flatten;
import dev.kiln.annotations.RandomFlip;
import dev.kiln.annotations.RandomTranslation;
import dev.kiln.annotations.RandomZoom;
import dev.kiln.annotations.SpatialDropout2D;
import dev.kiln.annotations.Dropout;
import dev.kiln.annotations.GaussianNoise;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.Sgd;
import dev.kiln.runtime.Layer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dropout, Gaussian noise, spatial dropout and the augmentation layers act in training only: at
 * inference the network is the plain one, bit for bit, also after training-mode passes.
 */
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

  @Network(input = {5, 4, 2}, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Sgd(learningRate = 0.1)
  interface AugmentedImages {
    @RandomFlip
    Layer flip();

    @RandomTranslation(heightFactor = 0.2, widthFactor = 0.3)
    Layer shift();

    @RandomZoom(heightFactor = 0.3, fillMode = FillMode.CONSTANT)
    Layer zoom();

    @Conv2D(filters = 3, kernelSize = 2, activation = RELU)
    Layer conv();

    @SpatialDropout2D(0.5)
    Layer channels();

    @Dropout(0.5)
    Layer drop();

    @Flatten
    Layer flat();

    @Dense(units = 3, activation = SOFTMAX)
    Layer out();
  }

  @Network(input = {5, 4, 2}, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Sgd(learningRate = 0.1)
  interface PlainImages {
    @Conv2D(filters = 3, kernelSize = 2, activation = RELU)
    Layer conv();

    @Flatten
    Layer flat();

    @Dense(units = 3, activation = SOFTMAX)
    Layer out();
  }

  @Test
  void imageInferenceIsThePlainNetworkAfterTrainingModePasses() throws Exception {
    NoiseLayersTest_AugmentedImagesModel augmented = new NoiseLayersTest_AugmentedImagesModel(1);
    NoiseLayersTest_PlainImagesModel plain = new NoiseLayersTest_PlainImagesModel(2);
    Path weights = dir.resolve("images.safetensors");
    augmented.save(weights);
    plain.load(weights);
    float[][] x = new float[3][40];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 40; j++) {
        x[i][j] = (float) Math.cos(7 * i + j);
      }
    }
    // A training-mode pass leaves the noise layers' own buffers written: inference must not read them.
    float[][] training = augmented.core().forwardTraining(x);
    float[][] a = augmented.predict(x);
    float[][] b = plain.predict(x);
    for (int i = 0; i < x.length; i++) {
      assertArrayEquals(b[i], a[i], 0f);
      assertNotEquals(java.util.Arrays.toString(b[i]), java.util.Arrays.toString(training[i]));
    }
  }
}
