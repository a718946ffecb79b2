package com.example;

import static dev.kiln.annotations.ActivationFunction.*;
import dev.kiln.annotations.*;
import dev.kiln.runtime.Layer;

@Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY)
@Sgd(learningRate = 0.1)
public interface Iris {
  @Dense(units = 10, activation = RELU, kernelInit = Initializer.HE_NORMAL) Layer hidden();
  @Dense(units = 3, activation = SOFTMAX) Layer output();
}
