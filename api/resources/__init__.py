"""HTTP resources: one flask-smorest Blueprint per collection, plus the root, health and docs."""

from flask import Flask
from flask_smorest import Api

from ..registry import COLLECTIONS
from .analytics_gaps import analytics_gaps_blueprint
from .analytics_queries import analytics_queries_blueprint
from .answer_feedback import feedback_blueprint
from .changes import changes_blueprint
from .collections import collection_blueprint
from .compare import compare_blueprint
from .docs import docs
from .explorer import explorer
from .llms import llms
from .meta import meta_blueprint
from .passages import passages_blueprint
from .search import search_blueprint


def register_blueprints(app: Flask, api: Api) -> None:
    """Blueprints are built per app: flask-smorest records their docs per Api."""
    api.register_blueprint(meta_blueprint())
    for collection in COLLECTIONS:
        api.register_blueprint(collection_blueprint(collection))
    api.register_blueprint(changes_blueprint())
    api.register_blueprint(search_blueprint())
    api.register_blueprint(passages_blueprint())
    api.register_blueprint(feedback_blueprint())
    api.register_blueprint(compare_blueprint())
    api.register_blueprint(analytics_queries_blueprint())
    api.register_blueprint(analytics_gaps_blueprint())
    app.register_blueprint(docs)
    app.register_blueprint(explorer)
    app.register_blueprint(llms)
