package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.ELU;
import static dev.kiln.annotations.ActivationFunction.GELU;
import static dev.kiln.annotations.ActivationFunction.LEAKY_RELU;
import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SELU;
import static dev.kiln.annotations.ActivationFunction.SIGMOID;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static dev.kiln.annotations.ActivationFunction.SWISH;
import static dev.kiln.annotations.ActivationFunction.TANH;

import dev.kiln.annotations.Activation;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.runtime.Layer;

/** A deep network (41 layers) for the generated-code size and shape rules. */
@Network(input = 100, loss = Loss.CATEGORICAL_CROSSENTROPY)
interface DeepNetwork {
    @Dense(units = 16, activation = RELU)
    Layer dense0();

    @Dense(units = 23, activation = TANH)
    Layer dense1();

    @Dense(units = 30, activation = SIGMOID)
    Layer dense2();

    @Dense(units = 37, activation = GELU)
    Layer dense3();

    @Activation(TANH)
    Layer act3();

    @Dense(units = 44, activation = SWISH)
    Layer dense4();

    @Dense(units = 51, activation = SELU)
    Layer dense5();

    @Dense(units = 58, activation = ELU)
    Layer dense6();

    @Dense(units = 17, activation = LEAKY_RELU)
    Layer dense7();

    @Activation(TANH)
    Layer act7();

    @Dense(units = 24, activation = RELU)
    Layer dense8();

    @Dense(units = 31, activation = TANH)
    Layer dense9();

    @Dense(units = 38, activation = SIGMOID)
    Layer dense10();

    @Dense(units = 45, activation = GELU)
    Layer dense11();

    @Activation(TANH)
    Layer act11();

    @Dense(units = 52, activation = SWISH)
    Layer dense12();

    @Dense(units = 59, activation = SELU)
    Layer dense13();

    @Dense(units = 18, activation = ELU)
    Layer dense14();

    @Dense(units = 25, activation = LEAKY_RELU)
    Layer dense15();

    @Activation(TANH)
    Layer act15();

    @Dense(units = 32, activation = RELU)
    Layer dense16();

    @Dense(units = 39, activation = TANH)
    Layer dense17();

    @Dense(units = 46, activation = SIGMOID)
    Layer dense18();

    @Dense(units = 53, activation = GELU)
    Layer dense19();

    @Activation(TANH)
    Layer act19();

    @Dense(units = 60, activation = SWISH)
    Layer dense20();

    @Dense(units = 19, activation = SELU)
    Layer dense21();

    @Dense(units = 26, activation = ELU)
    Layer dense22();

    @Dense(units = 33, activation = LEAKY_RELU)
    Layer dense23();

    @Activation(TANH)
    Layer act23();

    @Dense(units = 40, activation = RELU)
    Layer dense24();

    @Dense(units = 47, activation = TANH)
    Layer dense25();

    @Dense(units = 54, activation = SIGMOID)
    Layer dense26();

    @Dense(units = 61, activation = GELU)
    Layer dense27();

    @Activation(TANH)
    Layer act27();

    @Dense(units = 20, activation = SWISH)
    Layer dense28();

    @Dense(units = 27, activation = SELU)
    Layer dense29();

    @Dense(units = 34, activation = ELU)
    Layer dense30();

    @Dense(units = 41, activation = LEAKY_RELU)
    Layer dense31();

    @Activation(TANH)
    Layer act31();

    @Dense(units = 10, activation = SOFTMAX)
    Layer output();
}
