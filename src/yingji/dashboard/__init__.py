"""The command dashboard (指挥大屏/值班台): the built web app served at ``/`` and its config API."""
