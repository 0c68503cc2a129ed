"""The lecture's history as working models: Rosenblatt's perceptron, Widrow–Hoff's Adaline and
Madaline, and the linear score function f = Wx trained with a softmax or a multiclass SVM loss."""
