package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.Layer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Freezing layers, declared or at run time, as in the seed's transfer learning. */
class FreezingTest {
  @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 0.01)
  interface Classifier {
    @Dense(units = 8, activation = RELU)
    Layer features();

    @Dense(units = 3, activation = SOFTMAX)
    Layer head();
  }

  @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 0.01)
  interface PretrainedFeatures {
    @Dense(units = 8, activation = RELU, trainable = false)
    Layer features();

    @Dense(units = 3, activation = SOFTMAX)
    Layer head();
  }

  private static final float[][] X = {{1, 0, 0, 1}, {0, 1, 1, 0}, {1, 1, 0, 0}, {0, 0, 1, 1}, {1, 0, 1, 0}};
  private static final float[][] Y = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}, {0, 1, 0}};

  @Test
  void frozenLayerKeepsItsWeightsWhileTheOthersTrain() {
    FreezingTest_ClassifierModel model = new FreezingTest_ClassifierModel(1);
    model.features().setTrainable(false);
    assertFalse(model.features().trainable());
    float[][] featuresBefore = model.features().kernel();
    float[] biasBefore = model.features().bias();
    float[][] headBefore = model.head().kernel();
    model.fit(X, Y, FitOptions.epochs(20).withBatchSize(5).withVerbose(false));
    assertArrayEquals(biasBefore, model.features().bias());
    for (int i = 0; i < featuresBefore.length; i++) {
      assertArrayEquals(featuresBefore[i], model.features().kernel()[i]);
    }
    assertTrue(headBefore[0][0] != model.head().kernel()[0][0], "the head trains");
    assertEquals(20, model.optimizer().iterations(), "one optimizer iteration per step, however many ranges");
    assertTrue(model.summary().contains(" Trainable params: 27 (108.00 B)"), model.summary());
    assertTrue(model.summary().contains(" Non-trainable params: 40 (160.00 B)"), model.summary());

    model.features().setTrainable(true);
    model.fit(X, Y, FitOptions.epochs(1).withBatchSize(5).withVerbose(false));
    assertTrue(featuresBefore[0][0] != model.features().kernel()[0][0] || biasBefore[0] != model.features().bias()[0],
        "unfrozen again, the layer trains");
  }

  @Test
  void declaredFrozenLayerIsNonTrainableFromTheStart() throws Exception {
    FreezingTest_PretrainedFeaturesModel model = new FreezingTest_PretrainedFeaturesModel(1);
    assertEquals(27, FreezingTest_PretrainedFeaturesModel.TRAINABLE_PARAMETER_COUNT);
    assertTrue(model.summary().contains(" Non-trainable params: 40 (160.00 B)"), model.summary());
    float[][] before = model.features().kernel();
    model.fit(X, Y, FitOptions.epochs(10).withBatchSize(5).withVerbose(false));
    for (int i = 0; i < before.length; i++) {
      assertArrayEquals(before[i], model.features().kernel()[i]);
    }
    String source = Files.readString(Path.of(
        "target/generated-test-sources/test-annotations/dev/kiln/processor/functional/FreezingTest_PretrainedFeaturesModel.java"));
    assertTrue(source.contains("Frozen (trainable = false): no parameter gradients"), "gradient work skipped");
  }
}
