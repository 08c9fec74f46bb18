"""The broken-stack-file corpus: every case refused clearly by the render and by the program under mocks."""
