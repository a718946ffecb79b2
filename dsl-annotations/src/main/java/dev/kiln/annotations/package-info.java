/**
 * The Kiln DSL: annotations that declare a neural network on an interface or abstract class.
 *
 * <p>A network is a type annotated {@link dev.kiln.annotations.Network @Network}; each abstract
 * method returning {@code dev.kiln.runtime.Layer}, in source order, declares one layer
 * ({@link dev.kiln.annotations.Dense @Dense}, {@link dev.kiln.annotations.Activation @Activation},
 * {@link dev.kiln.annotations.Dropout @Dropout},
 * {@link dev.kiln.annotations.GaussianNoise @GaussianNoise},
 * {@link dev.kiln.annotations.BatchNorm @BatchNorm},
 * {@link dev.kiln.annotations.LayerNorm @LayerNorm}).
 * At most one optimizer annotation ({@link dev.kiln.annotations.Adam @Adam}, {@link
 * dev.kiln.annotations.Sgd @Sgd}, ...) on the type chooses the default optimizer. The annotation
 * processor turns the declaration into a class named {@code <Type>Model}.
 */
package dev.kiln.annotations;
